"""The outbox dispatcher: runs each pending delivery once, after commit, with retries.

A delivery is first leased (a compare-and-set update, committed), then its handler runs in
a fresh transaction that also marks it done, so the handler's writes and its progress
commit together. A failure rolls the handler back and schedules a retry with exponential
backoff; a crash leaves the lease to expire and the periodic sweep picks the delivery up.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from kefu.db import Database
from kefu.events import Event, EventDelivery, HandlerRegistry, registry
from kefu.kit.actor import Actor
from kefu.kit.clock import Clock, utcnow

log = logging.getLogger(__name__)

BACKOFF_BASE_SECONDS = 10
BACKOFF_MAX_SECONDS = 3600
LEASE_SECONDS = 300


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


def due_delivery_ids(database: Database, *, now: datetime, limit: int) -> list[int]:
    with database.sessions() as session:
        statement = (
            select(EventDelivery.id)
            .where(
                EventDelivery.status == "pending",
                EventDelivery.next_attempt_at <= now,
                or_(EventDelivery.leased_until.is_(None), EventDelivery.leased_until < now),
            )
            .order_by(EventDelivery.id)
            .limit(limit)
        )
        return list(session.scalars(statement))


def _lease(database: Database, delivery_id: int, now: datetime) -> str | None:
    """Take the delivery for LEASE_SECONDS; returns its handler's name, or None if taken."""
    with database.unit_of_work() as session:
        result = session.execute(
            update(EventDelivery)
            .where(
                EventDelivery.id == delivery_id,
                EventDelivery.status == "pending",
                EventDelivery.next_attempt_at <= now,
                or_(EventDelivery.leased_until.is_(None), EventDelivery.leased_until < now),
            )
            .values(leased_until=now + timedelta(seconds=LEASE_SECONDS))
            .returning(EventDelivery.handler)
        )
        return result.scalar_one_or_none()


class LeaseLost(Exception):
    """Another runner finished this delivery first; our writes are rolled back."""


def run_delivery(
    database: Database,
    delivery_id: int,
    *,
    clock: Clock = utcnow,
    handlers: HandlerRegistry = registry,
    report: DispatchReport | None = None,
) -> DispatchReport:
    report = report or DispatchReport()
    now = clock()
    handler_name = _lease(database, delivery_id, now)
    if handler_name is None:
        return report
    spec = handlers.get(handler_name)
    try:
        if spec is None:
            raise LookupError(f"no event handler named {handler_name!r} is registered")
        with database.unit_of_work(actor=Actor.job(f"handler:{handler_name}")) as session:
            delivery = session.get_one(EventDelivery, delivery_id)
            event = session.get_one(Event, delivery.event_id)
            spec.fn(session, event)
            marked = session.execute(
                update(EventDelivery)
                .where(EventDelivery.id == delivery_id, EventDelivery.status == "pending")
                .values(
                    status="done",
                    done_at=clock(),
                    attempts=EventDelivery.attempts + 1,
                    leased_until=None,
                    last_error=None,
                )
            )
            if marked.rowcount != 1:
                raise LeaseLost(handler_name)
        report.done += 1
    except LeaseLost:
        log.warning("delivery %s (%s) was finished by another runner", delivery_id, handler_name)
    except Exception as exc:
        log.exception("event handler %s failed on delivery %s", handler_name, delivery_id)
        _record_failure(database, delivery_id, now, exc, spec.max_attempts if spec else 8, report)
    return report


def _record_failure(
    database: Database,
    delivery_id: int,
    now: datetime,
    exc: Exception,
    max_attempts: int,
    report: DispatchReport,
) -> None:
    with database.unit_of_work() as session:
        delivery = session.get_one(EventDelivery, delivery_id)
        delivery.attempts += 1
        delivery.leased_until = None
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        report.errors.append(delivery.last_error)
        if delivery.attempts >= max_attempts:
            delivery.status = "failed"
            report.failed += 1
            return
        delivery.next_attempt_at = now + timedelta(seconds=backoff_seconds(delivery.attempts))
        report.retried += 1
        if report.next_retry_at is None or delivery.next_attempt_at < report.next_retry_at:
            report.next_retry_at = delivery.next_attempt_at


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
    for _ in range(max_batches):
        ids = due_delivery_ids(database, now=clock(), limit=batch)
        if not ids:
            break
        for delivery_id in ids:
            run_delivery(database, delivery_id, clock=clock, handlers=handlers, report=report)
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
