"""The outbox for an operator: deliveries parked as failed, and putting them back in line
(`kefu events failed`, `kefu events retry`). A failed delivery is always of one event: a
span (see `kefu.events.emit_many`) is split before any failure of it is recorded."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update

from kefu.db import Database
from kefu.events import Event, EventDelivery
from kefu.kit.clock import Clock, utcnow


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
