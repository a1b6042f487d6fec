"""The outbox's leases: which deliveries a dispatcher runs, held for LEASE_SECONDS, and a
span (a delivery standing for several events) split into one delivery per event.
See `kefu.dispatch` for how they run."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.orm import Session

from kefu.db import Database
from kefu.events import EventDelivery
from kefu.kit.bulk_rows import insert_rows

LEASE_SECONDS = 300


@dataclass(frozen=True, slots=True)
class Leased:
    """A delivery this runner holds the lease of (until `until`, as it wrote it)."""

    id: int
    event_id: int
    handler: str
    attempts: int
    more: tuple[int, ...] = ()  # the other events a span stands for
    until: datetime | None = None

    @property
    def event_ids(self) -> tuple[int, ...]:
        return (self.event_id, *self.more)


DELIVERIES = EventDelivery.__table__


def pending_only() -> ColumnElement[bool]:
    """`status = 'pending'` that no index answers: on a statement that names the rows by id,
    SQLite would otherwise walk ix(status, next_attempt_at) through every pending delivery
    (tens of thousands after a bulk import) instead of looking up the ids."""
    return DELIVERIES.c.status.concat("") == "pending"


def _free(now: datetime) -> ColumnElement[bool]:
    return or_(DELIVERIES.c.leased_until.is_(None), DELIVERIES.c.leased_until < now)


def lease_due(
    database: Database, *, now: datetime, limit: int, ids: Sequence[int] | None = None
) -> list[Leased]:
    """Take up to `limit` due deliveries (of `ids`, if given) for LEASE_SECONDS in one
    committed update, the longest due first (by when they became due, then in order of
    creation); rows another runner holds are left to it. Spans count by their events: rows
    are kept, in that order, while the events they stand for number fewer than `limit`; the
    rest are given back in the same transaction.

    The pick reads the (status, next_attempt_at) index in its own order and stops after
    `limit` rows; ordered by id it would read and sort every due delivery for each batch."""
    pick = select(DELIVERIES.c.id).where(
        DELIVERIES.c.status == "pending", DELIVERIES.c.next_attempt_at <= now, _free(now)
    )
    if ids is not None:
        pick = pick.where(DELIVERIES.c.id.in_(list(ids)))
    # Materialized: PostgreSQL may re-run a plain `IN (SELECT … LIMIT … SKIP LOCKED)` for
    # each row it updates and so lease far more than `limit`.
    picked = (
        pick.order_by(DELIVERIES.c.next_attempt_at, DELIVERIES.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
        .cte("due_deliveries")
        .prefix_with("MATERIALIZED")
    )
    until = now + timedelta(seconds=LEASE_SECONDS)
    columns = (DELIVERIES.c.id, DELIVERIES.c.event_id, DELIVERIES.c.handler, DELIVERIES.c.attempts)
    with database.unit_of_work() as session:
        rows = session.execute(
            update(DELIVERIES)
            .where(
                DELIVERIES.c.id.in_(select(picked.c.id)),
                pending_only(),
                DELIVERIES.c.next_attempt_at <= now,
                _free(now),
            )
            .values(leased_until=until)
            .returning(*columns, DELIVERIES.c.more_event_ids, DELIVERIES.c.next_attempt_at)
        ).all()
        rows.sort(key=lambda row: (row.next_attempt_at, row.id))
        events: set[int] = set()
        kept = 0
        while kept < len(rows) and (kept == 0 or len(events) < limit):
            events.add(rows[kept].event_id)
            events.update(rows[kept].more_event_ids or ())
            kept += 1
        if kept < len(rows):  # spans: the batch holds `limit` events already
            given_back = [row.id for row in rows[kept:]]
            session.execute(
                update(DELIVERIES)
                .where(DELIVERIES.c.id.in_(given_back), pending_only())
                .values(leased_until=None)
            )
    leased = [
        Leased(*row[:4], more=tuple(row.more_event_ids or ()), until=until) for row in rows[:kept]
    ]
    return sorted(leased, key=lambda item: item.id)


def _lease(database: Database, delivery_id: int, now: datetime) -> str | None:
    """Take one delivery for LEASE_SECONDS; returns its handler's name, or None if taken."""
    leased = lease_due(database, now=now, limit=1, ids=[delivery_id])
    return leased[0].handler if leased else None


class LeaseLost(Exception):
    """Another runner finished these deliveries first; our writes are rolled back."""

    def __init__(self, delivery_ids: set[int]) -> None:
        super().__init__(sorted(delivery_ids))
        self.delivery_ids = delivery_ids


def split_span(session: Session, item: Leased, now: datetime, *, keep: bool = True) -> list[Leased]:
    """A span as one delivery per event: the row keeps its first event and a delivery is
    written for each other one (attempts unchanged, due now; still leased by us if `keep`,
    else free for the next lease). LeaseLost if the span is no longer ours to split."""
    if not item.more:
        return [item]
    ours = session.execute(
        update(DELIVERIES)
        .where(DELIVERIES.c.id == item.id, pending_only(), DELIVERIES.c.leased_until == item.until)
        .values(more_event_ids=None)
        .returning(DELIVERIES.c.id)
    ).first()
    if ours is None:
        raise LeaseLost({item.id})
    until = item.until if keep else None
    rows = [
        {
            "event_id": event_id,
            "handler": item.handler,
            "status": "pending",
            "attempts": item.attempts,
            "next_attempt_at": now,
            "leased_until": until,
        }
        for event_id in item.more
    ]
    ids = insert_rows(session, DELIVERIES, rows, return_ids=True)
    return [
        replace(item, more=()),
        *(
            Leased(delivery_id, event_id, item.handler, item.attempts, until=until)
            for delivery_id, event_id in zip(ids, item.more, strict=True)
        ),
    ]
