"""Email ingest as kefu is deployed: the fetcher (with its ingest pool) and a worker process
dispatching the outbox run at the same time, as `kefu email fetch --watch` (or `kefu email
import`) beside `kefu worker` do; the rate is the mails divided by the seconds from the first
fetch to the last handler done.

The serial figures (ingest, then handlers) add the two phases' times; here the phases share
the machine's cores and overlap, and on SQLite they also take turns at its one write lock,
so neither sum nor maximum of the serial figures predicts this one: it is measured.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from multiprocessing.synchronize import Event as EventFlag

from kefu.db import Database
from kefu.dispatch import dispatch_due

IDLE_POLL_SECONDS = 0.05  # how long the worker waits when nothing is due (Huey polls too)


def _worker(
    url: str, ready: EventFlag, ingest_done: EventFlag, results: multiprocessing.Queue
) -> None:
    """A dispatcher in its own process: runs what is due until the fetcher has finished and
    nothing is left; reports (done, retried or failed) to the parent."""
    from kefu.runtime import open_database

    database = open_database(url)
    dispatch_due(database)  # nothing is due yet: warms the imports and the connection
    ready.set()
    done = troubled = 0
    try:
        while True:
            finished = ingest_done.is_set()  # read first: one empty pass after the last commit
            report = dispatch_due(database, batch=500, max_batches=1000)
            done += report.done
            troubled += report.retried + report.failed
            if report.ran == 0:
                if finished:
                    break
                time.sleep(IDLE_POLL_SECONDS)
    finally:
        database.dispose()
        results.put((done, troubled))


def deployed(database: Database, fetch: Callable[[], object]) -> tuple[float, int]:
    """Seconds from starting `fetch()` (an import or an IMAP fetch into `database`) with a
    dispatching worker process beside it until the worker has run every delivery; and the
    deliveries done."""
    context = multiprocessing.get_context("spawn")
    ready, ingest_done = context.Event(), context.Event()
    results: multiprocessing.Queue = context.Queue()
    url = database.engine.url.render_as_string(hide_password=False)
    worker = context.Process(target=_worker, args=(url, ready, ingest_done, results), daemon=True)
    worker.start()
    if not ready.wait(timeout=120):  # the clock starts with a worker already up, as deployed
        raise RuntimeError("the dispatching worker did not start")
    start = time.perf_counter()
    try:
        fetch()
    finally:
        ingest_done.set()
    done, troubled = results.get(timeout=3600)
    seconds = time.perf_counter() - start
    worker.join(timeout=60)
    assert troubled == 0, f"{troubled} deliveries were retried or failed"
    return seconds, done
