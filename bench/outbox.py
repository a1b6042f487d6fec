"""Outbox cost: emitting and dispatching events, against a plain one-row commit."""

import time
from collections.abc import Callable

from sqlalchemy.orm import Session

from bench.harness import Figure
from kefu.compliance.service import record
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.events import Event, emit, handles, registry

EVENT = "bench.happened"
HANDLER = "bench.handler"


def _handler(session: Session, event: Event) -> None:
    record(session, action="bench.handled", entity_type="events", entity_id=event.id)


def _timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def run(
    database: Database, backend: str, count: int, advance: Callable[[int], None]
) -> list[Figure]:
    if registry.get(HANDLER) is None:
        handles(EVENT, name=HANDLER)(_handler)

    def commits() -> None:  # baseline: the cheapest useful write, one row per transaction
        for n in range(count):
            with database.unit_of_work() as session:
                record(session, action="bench.baseline", entity_type="orders", entity_id=n)
        advance(count)

    def changes_with_events() -> None:
        for n in range(count):
            with database.unit_of_work() as session:
                record(session, action="bench.change", entity_type="orders", entity_id=n)
                emit(session, EVENT, subject_type="order", subject_id=n, payload={"n": n})
        advance(count)

    def dispatch() -> None:
        report = dispatch_due(database, batch=500, max_batches=count // 500 + 2)
        assert report.done == count, report
        advance(count)

    seconds = {
        "commit": _timed(commits),
        "emit": _timed(changes_with_events),
        "dispatch": _timed(dispatch),
    }
    base = seconds["commit"] / count
    figures = [
        Figure("outbox", backend, "one-row commit (baseline)", count / seconds["commit"], "per s")
    ]
    for key, label in (
        ("emit", "change + event emitted, one commit"),
        ("dispatch", "event dispatched to a handler that writes"),
    ):
        figures.append(
            Figure(
                "outbox",
                backend,
                label,
                count / seconds[key],
                "per s",
                baseline="one-row commit",
                ratio=seconds[key] / count / base,
            )
        )
    return figures
