"""Contact-volume history per queue and interval: kefu's own tickets (arrivals and measured
handle time) and imported history, which wins for the intervals it covers."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.tickets.arrivals import ticket_arrivals
from kefu.workforce.intervals import floor_interval, interval_starts
from kefu.workforce.models import VolumeHistory, WorkforceQueue


@dataclass(frozen=True, slots=True)
class IntervalHistory:
    """What happened in one interval: contacts arrived, and the handle time measured over
    `handled` of them (a contact is measured once an agent has replied)."""

    start_at: datetime
    contacts: int
    handle_seconds: float
    handled: int
    is_imported: bool

    @property
    def aht_seconds(self) -> float | None:
        return self.handle_seconds / self.handled if self.handled else None


def _ticket_history(
    session: Session, queue: WorkforceQueue, start: datetime, end: datetime
) -> dict[datetime, IntervalHistory]:
    found: dict[datetime, list[float]] = {}
    counts: dict[datetime, int] = {}
    for arrival in ticket_arrivals(
        session,
        start=start,
        end=end,
        channels=[queue.channel],
        team_id=queue.team_id,
        store_id=queue.store_id,
    ):
        at = floor_interval(arrival.created_at, queue.interval_minutes)
        counts[at] = counts.get(at, 0) + 1
        if arrival.handle_seconds is not None:
            found.setdefault(at, []).append(arrival.handle_seconds)
    return {
        at: IntervalHistory(
            start_at=at,
            contacts=count,
            handle_seconds=sum(found.get(at, [])),
            handled=len(found.get(at, [])),
            is_imported=False,
        )
        for at, count in counts.items()
    }


def _imported_history(
    session: Session, queue: WorkforceQueue, start: datetime, end: datetime
) -> dict[datetime, IntervalHistory]:
    rows = session.scalars(
        select(VolumeHistory).where(
            VolumeHistory.queue_id == queue.id,
            VolumeHistory.start_at >= start,
            VolumeHistory.start_at < end,
        )
    )
    history = {}
    for row in rows:
        aht = row.aht_seconds
        history[row.start_at] = IntervalHistory(
            start_at=row.start_at,
            contacts=row.contacts,
            handle_seconds=(aht or 0.0) * row.contacts,
            handled=row.contacts if aht is not None else 0,
            is_imported=True,
        )
    return history


def queue_history(
    session: Session, queue: WorkforceQueue, *, start: datetime, end: datetime
) -> list[IntervalHistory]:
    """Every interval of [start, end), with zero contacts where nothing arrived."""
    start = floor_interval(start, queue.interval_minutes)
    from_tickets = _ticket_history(session, queue, start, end)
    imported = _imported_history(session, queue, start, end)
    return [
        imported.get(at)
        or from_tickets.get(at)
        or IntervalHistory(
            start_at=at, contacts=0, handle_seconds=0.0, handled=0, is_imported=False
        )
        for at in interval_starts(start, end, queue.interval_minutes)
    ]


def first_history_at(session: Session, queue: WorkforceQueue) -> datetime | None:
    """The earliest interval with imported history (kefu's tickets are looked at from the
    forecast's history window on)."""
    return session.scalar(
        select(VolumeHistory.start_at)
        .where(VolumeHistory.queue_id == queue.id)
        .order_by(VolumeHistory.start_at)
        .limit(1)
    )


def measured_aht(history: list[IntervalHistory]) -> float | None:
    """Average handle time over every measured contact of the history."""
    handled = sum(item.handled for item in history)
    return sum(item.handle_seconds for item in history) / handled if handled else None
