"""Parsing incoming mail in other processes while this one stores what is already parsed.

Parsing MIME, storing the raw mail and its attachments, sanitizing HTML and splitting the
reply are most of a mail's cost and touch no database, so a batch's mail is cut in chunks
that a process pool prepares while the storing process writes the chunks before them, in
order (threading within the batch depends on it). Only plain values cross: the batch's
shared lookups, the raw bytes, and back the stored files' digests and the InboundMessage.

The pool is one per process, started on first use (forkserver: never a fork of a process
that runs threads) and kept; small batches (an LMTP delivery, an IDLE wake-up) are prepared
in place, where shipping them would cost more than it saves. Starting it takes seconds (the
forkserver imports kefu before its first worker exists), so it starts in a thread and mail
is prepared in place until its processes are up: an import's first batches are not held up
by it. A pool that broke (a worker killed) is dropped and the rest of the batch prepared in
place: it can cost time, never mail.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from kefu.config import Settings

log = logging.getLogger(__name__)

POOL_MIN_MAILS = 40  # fewer than this are prepared in place
CHUNK_MAILS = 25  # mails per task: small enough that storing starts early
# chunks the storing side takes at once at least: a bulk write has a cost per statement
# whatever its rows, so writing 25 mails at a time took twice as long as writing 100
GROUP_CHUNKS = 4
MAX_DEFAULT_WORKERS = 4
PRELOAD = ["kefu.channels.email.inbound_batch"]
# The pool's processes run at a lower CPU priority: they prepare ahead of the processes that
# write (the fetcher storing, the worker's handlers, web requests), which on SQLite take turns
# at its one write lock: a writer put off its CPU while holding the lock holds up all writers.
POOL_NICE = 10

T = TypeVar("T")
R = TypeVar("R")

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_workers = 0
_started: ProcessPoolExecutor | None = None  # the pool whose processes are up
_starting: threading.Thread | None = None


def workers_for(settings: Settings | None) -> int:
    """The configured number of parsing processes; by default one fewer than the cores."""
    configured = settings.ingest_workers if settings is not None else None
    if configured is not None:
        return configured
    return max(0, min(MAX_DEFAULT_WORKERS, (os.cpu_count() or 1) - 1))


def _get_pool(workers: int) -> ProcessPoolExecutor:
    global _pool, _pool_workers
    with _lock:
        if _pool is None or _pool_workers != workers:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(PRELOAD)
            _pool = ProcessPoolExecutor(
                max_workers=workers, mp_context=context, initializer=os.nice, initargs=(POOL_NICE,)
            )
            _pool_workers = workers
        return _pool


def start(workers: int, *, wait: bool = False) -> ProcessPoolExecutor | None:
    """The pool of `workers` processes if they are up; else start them (in a thread unless
    `wait`) and return None (with `wait`: the pool once up, None if it could not start)."""
    global _starting
    with _lock:
        if _started is not None and _started is _pool and _pool_workers == workers:
            return _started
        if not wait and (_starting is None or not _starting.is_alive()):
            _starting = threading.Thread(
                target=_start, args=(workers,), name="kefu-ingest-pool", daemon=True
            )
            _starting.start()
    if wait:
        _start(workers)
        with _lock:
            return _started if _started is _pool else None
    return None


def _start(workers: int) -> None:
    """Create the pool and wait until each of its processes has run a task."""
    global _started
    try:
        pool = _get_pool(workers)
        for future in [pool.submit(os.getpid) for _ in range(workers)]:
            future.result()
    except Exception:  # a broken or shut-down pool: mail is prepared in place meanwhile
        log.warning("the ingest pool did not start", exc_info=True)
        return
    with _lock:
        if _pool is pool:
            _started = pool


def _drop_pool(broken: ProcessPoolExecutor) -> None:
    global _pool, _started
    with _lock:
        if _pool is broken:
            _pool = _started = None
    broken.shutdown(wait=False, cancel_futures=True)


def shutdown() -> None:
    """Stop the pool's processes (tests, and a command that is done with mail)."""
    global _pool, _started
    with _lock:
        pool, _pool, _started = _pool, None, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


def chunked(
    items: Sequence[T],
    prepare: Callable[[Sequence[T]], R],
    *,
    workers: int,
) -> Iterator[list[R]]:
    """`prepare(chunk)` for each chunk of `items`, in order, yielded GROUP_CHUNKS at a time
    with any after them that are ready too (so the storing side writes as much at once as it
    can while the pool prepares the next); by the pool when there are enough items and
    workers, else here, all at once. The pool's work is submitted now, before the first
    result is asked for (so a caller can start the next batch before storing this one).
    `prepare` must be a module-level function (or a partial of one) whose arguments and
    result pickle."""
    chunks = [items[i : i + CHUNK_MAILS] for i in range(0, len(items), CHUNK_MAILS)]
    if workers <= 0 or len(items) < POOL_MIN_MAILS:
        return _in_place(chunks, prepare)
    pool = start(workers)
    if pool is None:  # its processes are still starting
        return _in_place(chunks, prepare)
    try:
        futures: list[Future[R]] = [pool.submit(prepare, chunk) for chunk in chunks]
    except (BrokenProcessPool, RuntimeError):
        log.warning("the ingest pool is gone; preparing mail in this process", exc_info=True)
        _drop_pool(pool)
        futures = []
    return _collected(pool, chunks, futures, prepare)


def _in_place(chunks: list[Sequence[T]], prepare: Callable[[Sequence[T]], R]) -> Iterator[list[R]]:
    yield [prepare(chunk) for chunk in chunks]


def _collected(
    pool: ProcessPoolExecutor,
    chunks: list[Sequence[T]],
    futures: list[Future[R]],
    prepare: Callable[[Sequence[T]], R],
) -> Iterator[list[R]]:
    index = 0
    while index < len(chunks):
        ready: list[R] = []
        while index < len(futures) and (len(ready) < GROUP_CHUNKS or futures[index].done()):
            try:
                ready.append(futures[index].result())
            except Exception:
                log.warning("an ingest worker failed; preparing the rest here", exc_info=True)
                _drop_pool(pool)
                futures = futures[:index]
                break
            index += 1
        if not ready:
            ready.append(prepare(chunks[index]))
            index += 1
        yield ready
