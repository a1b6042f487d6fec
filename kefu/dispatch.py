"""The outbox dispatcher: runs each pending delivery once, after commit, with retries.

Deliveries are leased in batches: one compare-and-set update takes up to `batch` due rows for
LEASE_SECONDS and commits (PostgreSQL skips rows another runner is locking). The batch's
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
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from kefu.db import Database, is_contention
from kefu.events import Event, EventDelivery, HandlerRegistry, HandlerSpec, registry
from kefu.kit.actor import Actor
from kefu.kit.clock import Clock, utcnow
from kefu.kit.gc_batch import batch_gc

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 10
BACKOFF_MAX_SECONDS = 3600
LEASE_SECONDS = 300
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


@dataclass(frozen=True, slots=True)
class Leased:
    """A delivery this runner holds the lease of."""

    id: int
    event_id: int
    handler: str
    attempts: int


@dataclass(slots=True)
class _Failure:
    item: Leased
    error: str
    parked: bool
    next_attempt_at: datetime | None


_TABLE = EventDelivery.__table__


def _pending() -> ColumnElement[bool]:
    """`status = 'pending'` that no index answers: on a statement that names the rows by id,
    SQLite would otherwise walk ix(status, next_attempt_at) through every pending delivery
    (tens of thousands after a bulk import) instead of looking up the ids."""
    return _TABLE.c.status.concat("") == "pending"


def _free(now: datetime) -> ColumnElement[bool]:
    return or_(_TABLE.c.leased_until.is_(None), _TABLE.c.leased_until < now)


def lease_due(
    database: Database, *, now: datetime, limit: int, ids: Sequence[int] | None = None
) -> list[Leased]:
    """Take up to `limit` due deliveries (of `ids`, if given) for LEASE_SECONDS in one
    committed update, the longest due first (by when they became due, then in order of
    creation); rows another runner holds are left to it.

    The pick reads the (status, next_attempt_at) index in its own order and stops after
    `limit` rows; ordered by id it would read and sort every due delivery for each batch."""
    pick = select(_TABLE.c.id).where(
        _TABLE.c.status == "pending", _TABLE.c.next_attempt_at <= now, _free(now)
    )
    if ids is not None:
        pick = pick.where(_TABLE.c.id.in_(list(ids)))
    # Materialized: PostgreSQL may re-run a plain `IN (SELECT … LIMIT … SKIP LOCKED)` for
    # each row it updates and so lease far more than `limit`.
    picked = (
        pick.order_by(_TABLE.c.next_attempt_at, _TABLE.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due_deliveries")
        .prefix_with("MATERIALIZED")
    )
    with database.unit_of_work() as session:
        rows = session.execute(
            update(_TABLE)
            .where(
                _TABLE.c.id.in_(select(picked.c.id)),
                _pending(),
                _TABLE.c.next_attempt_at <= now,
                _free(now),
            )
            .values(leased_until=now + timedelta(seconds=LEASE_SECONDS))
            .returning(_TABLE.c.id, _TABLE.c.event_id, _TABLE.c.handler, _TABLE.c.attempts)
        ).all()
    return sorted((Leased(*row) for row in rows), key=lambda item: item.id)


def _lease(database: Database, delivery_id: int, now: datetime) -> str | None:
    """Take one delivery for LEASE_SECONDS; returns its handler's name, or None if taken."""
    leased = lease_due(database, now=now, limit=1, ids=[delivery_id])
    return leased[0].handler if leased else None


class LeaseLost(Exception):
    """Another runner finished these deliveries first; our writes are rolled back."""

    def __init__(self, delivery_ids: set[int]) -> None:
        super().__init__(sorted(delivery_ids))
        self.delivery_ids = delivery_ids


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
    run = partial(_run_batch, leased=leased, now=now, clock=clock, handlers=handlers)
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
        with database.unit_of_work() as session:
            failures = [_record_failure(session, leased[0], exc, now, handlers)]
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


def _run_batch(
    session: Session,
    leased: list[Leased],
    *,
    now: datetime,
    clock: Clock,
    handlers: HandlerRegistry,
) -> tuple[int, list[_Failure]]:
    """Run the leased deliveries in the caller's transaction, a savepoint each (a batch
    handler: one savepoint for its whole group, then each alone if that fails); mark the
    successful ones done and record the failures. Returns (done, failures)."""
    event_ids = {item.event_id for item in leased}
    events = {e.id: e for e in session.scalars(select(Event).where(Event.id.in_(event_ids)))}
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
        error = _attempt(session, spec, group, events)
        if error is None:
            succeeded.extend(other.id for other in group)
            continue
        if len(group) > 1:  # find which events fail: each alone
            log.warning("batch handler %s failed; running its events alone", spec.name)
            for other in group:
                alone = _attempt(session, spec, [other], events)
                if alone is None:
                    succeeded.append(other.id)
                else:
                    failures.append(_record_failure(session, other, alone, now, handlers))
            continue
        failures.append(_record_failure(session, item, error, now, handlers))
    _mark_done(session, succeeded, clock())
    if unrun:
        session.execute(
            update(_TABLE).where(_TABLE.c.id.in_(unrun), _pending()).values(leased_until=None)
        )
    return len(succeeded), failures


def _attempt(
    session: Session, spec: HandlerSpec, group: list[Leased], events: dict[int, Event]
) -> Exception | None:
    """Run a handler on its events in a savepoint; the exception if it failed (its writes,
    and what it queued in session.info for after the commit, are then undone)."""
    queued = {key: len(value) for key, value in session.info.items() if isinstance(value, list)}
    session.info["actor"] = Actor.job(f"handler:{spec.name}")
    try:
        with session.begin_nested():
            if spec.batch:
                spec.fn(session, [events[item.event_id] for item in group])
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
        update(_TABLE)
        .where(_TABLE.c.id.in_(delivery_ids), _pending())
        .values(
            status="done",
            done_at=done_at,
            attempts=_TABLE.c.attempts + 1,
            leased_until=None,
            last_error=None,
        )
        .returning(_TABLE.c.id)
    ).all()
    if len(marked) != len(delivery_ids):
        raise LeaseLost(set(delivery_ids) - set(marked))


def _record_failure(
    session: Session, item: Leased, exc: Exception, now: datetime, handlers: HandlerRegistry
) -> _Failure:
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
    session.execute(update(_TABLE).where(_TABLE.c.id == item.id, _pending()).values(**values))
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


def retry_failed(database: Database, *, delivery_ids: list[int], clock: Clock = utcnow) -> int:
    """Put failed deliveries back in line (after the cause was fixed); returns how many."""
    with database.unit_of_work() as session:
        result = session.execute(
            update(EventDelivery)
            .where(EventDelivery.id.in_(delivery_ids), EventDelivery.status == "failed")
            .values(status="pending", attempts=0, next_attempt_at=clock(), leased_until=None)
        )
        return result.rowcount


@dataclass(frozen=True)
class FailedDelivery:
    id: int
    event_id: int
    event_type: str
    handler: str
    attempts: int
    last_error: str | None
    event_created_at: datetime


def failed_deliveries(database: Database, *, limit: int = 100) -> list[FailedDelivery]:
    """Deliveries parked after their last attempt, newest first, for an operator to look at."""
    with database.sessions() as session:
        rows = session.execute(
            select(EventDelivery, Event)
            .join(Event, Event.id == EventDelivery.event_id)
            .where(EventDelivery.status == "failed")
            .order_by(EventDelivery.id.desc())
            .limit(limit)
        ).all()
    return [
        FailedDelivery(d.id, e.id, e.type, d.handler, d.attempts, d.last_error, e.created_at)
        for d, e in rows
    ]
