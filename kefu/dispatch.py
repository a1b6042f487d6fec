"""The outbox dispatcher: runs each pending delivery once, after commit, with retries.

Deliveries are leased in batches: one compare-and-set update takes up to `batch` due rows for
LEASE_SECONDS and commits (PostgreSQL skips rows another runner is locking); rows past `batch`
events are given back in the same commit, as a row of a batch handler may stand for all the
events of one bulk emit (a span, see `kefu.events.emit_many`). The batch's
handlers then run in one transaction with a savepoint per delivery, and the transaction marks
the successful ones done, so a handler's writes and its progress commit together. A failure
rolls back only that delivery's savepoint (and what it queued for after commit) and records
the error with an exponential backoff in the same transaction, parking the delivery as failed
after its handler's max_attempts. A crash leaves the leases to expire and the periodic sweep
picks the deliveries up. A delivery that another runner finished meanwhile (its lease expired
under us) is detected when it is marked done (LeaseLost): the whole batch is rolled back and
run again without it, so its writes never commit twice. A handler the database fails to break
a lock conflict (a deadlock with an import updating the same tickets) fails the whole batch,
which is run again from the start (`Database.retrying`) — its savepoint alone would release
nothing the batch's earlier deliveries locked. Should the batch transaction still fail, each
of its deliveries is run again alone in its own transaction.

On SQLite the batch's events are read before its transaction, in a reading session in which
each batch handler with a `prepare` also reads and works out what it will write
(kefu/prepared_reads.py): the write lock is held for checking and writing.

A batch handler gets the events of all its leased deliveries in one call. If that fails, each
event is run alone to find the bad ones: a span is first split — the row keeps its first
event and a new delivery, still ours, is written for each of the others (attempts unchanged)
— so a failure is recorded, backed off and parked for its one event while the others are
done. The split is part of the batch's transaction (rolled back with it) and only happens
while the span is still leased by us (else LeaseLost); any failure recorded on a span splits
it the same way, so only never-tried pending deliveries span events.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kefu.db import Database, is_contention
from kefu.dispatch_lease import (
    DELIVERIES,
    LEASE_SECONDS,
    Leased,
    LeaseLost,
    lease_due,
    pending_only,
    split_span,
)
from kefu.events import Event, HandlerRegistry, HandlerSpec, lock_subjects, registry
from kefu.kit.actor import Actor
from kefu.kit.clock import Clock, utcnow
from kefu.kit.gc_batch import batch_gc

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 10
BACKOFF_MAX_SECONDS = 3600
DEFAULT_MAX_ATTEMPTS = 8


def backoff_seconds(attempts: int) -> int:
    """10 s, 20 s, 40 s … capped at an hour: the wait after the given number of failures."""
    return min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)


@dataclass
class DispatchReport:
    done: int = 0
    retried: int = 0
    failed: int = 0
    next_retry_at: datetime | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def ran(self) -> int:
        return self.done + self.retried + self.failed


@dataclass(slots=True)
class _Failure:
    item: Leased
    error: str
    parked: bool
    next_attempt_at: datetime | None


def run_delivery(
    database: Database,
    delivery_id: int,
    *,
    clock: Clock = utcnow,
    handlers: HandlerRegistry = registry,
    report: DispatchReport | None = None,
) -> DispatchReport:
    """Lease and run one delivery (if it is due and free)."""
    report = report or DispatchReport()
    now = clock()
    leased = lease_due(database, now=now, limit=1, ids=[delivery_id])
    if leased:
        run_leased(database, leased, now=now, clock=clock, handlers=handlers, report=report)
    return report


def run_leased(
    database: Database,
    leased: list[Leased],
    *,
    now: datetime,
    clock: Clock,
    handlers: HandlerRegistry,
    report: DispatchReport,
) -> None:
    ahead = _read_ahead(database, leased, handlers)
    run = partial(_run_batch, leased=leased, now=now, clock=clock, handlers=handlers, ahead=ahead)
    try:
        with batch_gc():
            done, failures = database.retrying(run)
    except LeaseLost as lost:
        log.warning("deliveries %s were finished by another runner", sorted(lost.delivery_ids))
        rest = [item for item in leased if item.id not in lost.delivery_ids]
        if rest:
            run_leased(database, rest, now=now, clock=clock, handlers=handlers, report=report)
        return
    except Exception as exc:
        if len(leased) > 1:
            log.exception("dispatch batch failed; running its %s deliveries alone", len(leased))
            for item in leased:
                run_leased(database, [item], now=now, clock=clock, handlers=handlers, report=report)
            return
        log.exception("delivery %s (%s) failed", leased[0].id, leased[0].handler)
        try:
            with database.unit_of_work() as session:
                failures = [_record_failure(session, leased[0], exc, now, handlers)]
        except LeaseLost:
            log.warning("delivery %s was taken by another runner", leased[0].id)
            failures = []
        done = 0
    report.done += done
    for failure in failures:
        report.errors.append(failure.error)
        if failure.parked:
            report.failed += 1
            continue
        report.retried += 1
        retry_at = failure.next_attempt_at
        if retry_at is not None and (
            report.next_retry_at is None or retry_at < report.next_retry_at
        ):
            report.next_retry_at = retry_at


@dataclass(frozen=True, slots=True)
class _ReadAhead:
    """A batch's events, and what its handlers prepared, read before its transaction."""

    events: dict[int, Event]
    prepared: dict[str, Any]


def _read_ahead(
    database: Database, leased: list[Leased], handlers: HandlerRegistry
) -> _ReadAhead | None:
    """On SQLite, the batch's events, and what the batch handlers with a `prepare` read and
    work out for theirs (by handler name), read in a reading session before the write
    transaction (kefu/prepared_reads.py); None elsewhere. A prepare that fails is logged and
    skipped: its handler then reads everything itself."""
    if database.backend != "sqlite":
        return None
    wanted: dict[str, tuple[HandlerSpec, set[int]]] = {}
    for item in leased:
        spec = handlers.get(item.handler)
        if spec is not None and spec.batch and spec.prepare is not None:
            wanted.setdefault(spec.name, (spec, set()))[1].update(item.event_ids)
    prepared: dict[str, Any] = {}
    with database.reading() as session:
        events = _events(session, leased)
        for name, (spec, event_ids) in wanted.items():
            assert spec.prepare is not None
            mine = [events[i] for i in sorted(event_ids) if i in events]
            try:
                prepared[name] = spec.prepare(session, mine)
            except Exception:
                log.exception("preparing event handler %s failed; it reads for itself", name)
        session.expunge_all()  # the events stay readable after the session ends
    return _ReadAhead(events, prepared)


def _events(session: Session, leased: list[Leased]) -> dict[int, Event]:
    ids = {event_id for item in leased for event_id in item.event_ids}
    return {e.id: e for e in session.scalars(select(Event).where(Event.id.in_(ids)))}


def _run_batch(
    session: Session,
    leased: list[Leased],
    *,
    now: datetime,
    clock: Clock,
    handlers: HandlerRegistry,
    ahead: _ReadAhead | None = None,
) -> tuple[int, list[_Failure]]:
    """Run the leased deliveries in the caller's transaction, a savepoint each (a batch
    handler: one savepoint for its whole group, then each event alone if that fails, spans
    split); mark the successful ones done and record the failures. Returns (done, failures).
    `ahead`: the events and prepared work read before the transaction."""
    events = ahead.events if ahead is not None else _events(session, leased)
    prepared = ahead.prepared if ahead is not None else {}
    if session.get_bind().dialect.name != "sqlite":  # SQLite: one writer at a time anyway
        lock_subjects(session, events.values())
    succeeded: list[int] = []
    failures: list[_Failure] = []
    unrun: list[int] = []
    grouped: set[str] = set()
    deadline = now + timedelta(seconds=LEASE_SECONDS / 2)
    for item in leased:
        if item.handler in grouped:
            continue
        if clock() > deadline:  # do not run on into leases that may expire; release the rest
            unrun.append(item.id)
            continue
        spec = handlers.get(item.handler)
        if spec is None:
            error = LookupError(f"no event handler named {item.handler!r} is registered")
            failures.append(_record_failure(session, item, error, now, handlers))
            continue
        group = [item]
        if spec.batch:
            grouped.add(item.handler)
            group = [other for other in leased if other.handler == item.handler]
        error = _attempt(session, spec, group, events, prepared.get(spec.name))
        if error is None:
            succeeded.extend(other.id for other in group)
            continue
        if spec.batch:
            group = [single for other in group for single in split_span(session, other, now)]
        if len(group) > 1:  # find which events fail: each alone
            log.warning("batch handler %s failed; running its events alone", spec.name)
            for other in group:
                alone = _attempt(session, spec, [other], events, prepared.get(spec.name))
                if alone is None:
                    succeeded.append(other.id)
                else:
                    failures.append(_record_failure(session, other, alone, now, handlers))
            continue
        failures.append(_record_failure(session, item, error, now, handlers))
    _mark_done(session, succeeded, clock())
    if unrun:
        session.execute(
            update(DELIVERIES)
            .where(DELIVERIES.c.id.in_(unrun), pending_only())
            .values(leased_until=None)
        )
    return len(succeeded), failures


def _attempt(
    session: Session,
    spec: HandlerSpec,
    group: list[Leased],
    events: dict[int, Event],
    prepared: Any = None,
) -> Exception | None:
    """Run a handler on its events in a savepoint; the exception if it failed (its writes,
    and what it queued in session.info for after the commit, are then undone)."""
    queued = {key: len(value) for key, value in session.info.items() if isinstance(value, list)}
    session.info["actor"] = Actor.job(f"handler:{spec.name}")
    try:
        with session.begin_nested():
            if spec.batch:
                ids = sorted({event_id for item in group for event_id in item.event_ids})
                batch = [events[event_id] for event_id in ids]
                if spec.prepare is None:
                    spec.fn(session, batch)
                else:
                    spec.fn(session, batch, prepared=prepared)
            else:
                spec.fn(session, events[group[0].event_id])
    except Exception as exc:
        if is_contention(exc):
            raise  # earlier deliveries of the batch hold locks too: run_leased runs it again
        log.exception("event handler %s failed on delivery %s", spec.name, group[0].id)
        for key, value in list(session.info.items()):
            if isinstance(value, list):
                del value[queued.get(key, 0) :]
        return exc
    return None


def _mark_done(session: Session, delivery_ids: list[int], done_at: datetime) -> None:
    if not delivery_ids:
        return
    marked = session.scalars(
        update(DELIVERIES)
        .where(DELIVERIES.c.id.in_(delivery_ids), pending_only())
        .values(
            status="done",
            done_at=done_at,
            attempts=DELIVERIES.c.attempts + 1,
            leased_until=None,
            last_error=None,
        )
        .returning(DELIVERIES.c.id)
    ).all()
    if len(marked) != len(delivery_ids):
        raise LeaseLost(set(delivery_ids) - set(marked))


def _record_failure(
    session: Session, item: Leased, exc: Exception, now: datetime, handlers: HandlerRegistry
) -> _Failure:
    item = split_span(session, item, now, keep=False)[0]  # the failure is its first event's
    spec = handlers.get(item.handler)
    max_attempts = spec.max_attempts if spec else DEFAULT_MAX_ATTEMPTS
    attempts = item.attempts + 1
    error = f"{type(exc).__name__}: {exc}"[:2000]
    parked = attempts >= max_attempts
    next_attempt_at = None if parked else now + timedelta(seconds=backoff_seconds(attempts))
    values: dict[str, object] = {"attempts": attempts, "leased_until": None, "last_error": error}
    if parked:
        values["status"] = "failed"
    else:
        values["next_attempt_at"] = next_attempt_at
    session.execute(
        update(DELIVERIES).where(DELIVERIES.c.id == item.id, pending_only()).values(**values)
    )
    return _Failure(item, error, parked, next_attempt_at)


def dispatch_due(
    database: Database,
    *,
    clock: Clock = utcnow,
    handlers: HandlerRegistry = registry,
    batch: int = 200,
    max_batches: int = 50,
) -> DispatchReport:
    """Run every delivery that is due now (bounded, so one call never runs forever)."""
    report = DispatchReport()
    with batch_gc():
        for _ in range(max_batches):
            now = clock()
            leased = lease_due(database, now=now, limit=batch)
            if not leased:
                break
            run_leased(database, leased, now=now, clock=clock, handlers=handlers, report=report)
    return report
