"""What changes a model's forecast: public holidays of the queue's country, managers'
events (campaigns with an uplift) and manual per-interval overrides."""

from datetime import date, datetime
from functools import lru_cache

import holidays
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kefu.errors import InvalidInput, NotFound
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.workforce.intervals import floor_interval, local_day
from kefu.workforce.models import ForecastEvent, ForecastOverride, WorkforceQueue
from kefu.workforce.queues import get_queue
from kefu.workforce.schemas import EventIn, OverrideIn


@lru_cache(maxsize=64)
def _holidays(country: str, year: int) -> dict[date, str]:
    return dict(holidays.country_holidays(country, years=year).items())


def holiday_name(country: str | None, day: date) -> str | None:
    """The public holiday on `day` in `country` (None when it is an ordinary day)."""
    if not country:
        return None
    return _holidays(country, day.year).get(day)


def is_holiday(queue: WorkforceQueue, moment: datetime) -> bool:
    return holiday_name(queue.country, local_day(moment, queue.time_zone)) is not None


def events_for(
    session: Session, *, queue_id: int, start: datetime, end: datetime
) -> list[ForecastEvent]:
    """The events of this queue (or of every queue) that overlap [start, end)."""
    return list(
        session.scalars(
            select(ForecastEvent)
            .where(
                or_(ForecastEvent.queue_id == queue_id, ForecastEvent.queue_id.is_(None)),
                ForecastEvent.starts_at < end,
                ForecastEvent.ends_at > start,
            )
            .order_by(ForecastEvent.starts_at, ForecastEvent.id)
        )
    )


def event_multiplier(events: list[ForecastEvent], at: datetime) -> float:
    """Overlapping events multiply: a ×2 sale inside a ×1.5 week is ×3."""
    factor = 1.0
    for event in events:
        if event.starts_at <= at < event.ends_at:
            factor *= event.multiplier
    return factor


def overrides_for(
    session: Session, *, queue_id: int, start: datetime, end: datetime
) -> dict[datetime, ForecastOverride]:
    rows = session.scalars(
        select(ForecastOverride).where(
            ForecastOverride.queue_id == queue_id,
            ForecastOverride.start_at >= start,
            ForecastOverride.start_at < end,
        )
    )
    return {row.start_at: row for row in rows}


def _override_at(session: Session, queue_id: int, start_at: datetime) -> ForecastOverride | None:
    return session.scalar(
        select(ForecastOverride).where(
            ForecastOverride.queue_id == queue_id, ForecastOverride.start_at == start_at
        )
    )


def add_event(session: Session, *, actor: Actor, data: EventIn) -> ForecastEvent:
    require(actor, "workforce.manage")
    if data.queue_id is not None:
        get_queue(session, data.queue_id)
    event = ForecastEvent(**data.model_dump())
    session.add(event)
    session.flush()
    return event


def delete_event(session: Session, *, actor: Actor, event_id: int) -> None:
    require(actor, "workforce.manage")
    event = session.get(ForecastEvent, event_id)
    if event is None:
        raise NotFound(_("No such event."))
    session.delete(event)
    session.flush()


def set_override(
    session: Session, *, actor: Actor, queue_id: int, data: OverrideIn
) -> ForecastOverride:
    """Replace the forecast of one interval by hand; setting it again changes the value."""
    require(actor, "workforce.manage")
    queue = get_queue(session, queue_id)
    start_at = floor_interval(data.start_at, queue.interval_minutes)
    if start_at != data.start_at:
        raise InvalidInput(
            _(
                "An override starts at an interval boundary (every %(minutes)s minutes).",
                minutes=queue.interval_minutes,
            )
        )
    override = _override_at(session, queue_id, start_at)
    if override is None:
        override = ForecastOverride(queue_id=queue_id, start_at=start_at, volume=0.0)
        session.add(override)
    override.volume = data.volume
    override.note = data.note
    override.agent_id = actor.agent_id
    session.flush()
    return override


def remove_override(session: Session, *, actor: Actor, queue_id: int, start_at: datetime) -> None:
    require(actor, "workforce.manage")
    found = _override_at(session, queue_id, start_at)
    if found is None:
        raise NotFound(_("No override at that time."))
    session.delete(found)
    session.flush()
