"""The forecast as other parts of kefu read it: forecast and actual volume per interval."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.workforce import adjustments
from kefu.workforce.history import queue_history
from kefu.workforce.intervals import floor_interval
from kefu.workforce.models import ForecastInterval, ForecastRun, WorkforceQueue
from kefu.workforce.queues import get_queue

# Handle time assumed when a queue has no manual AHT and nothing has been measured yet.
DEFAULT_AHT_SECONDS = 300.0


@dataclass(frozen=True, slots=True)
class IntervalVolume:
    """Contacts in the interval starting at `start_at` (UTC). For a forecast, `volume` is
    after holidays, events and overrides and [low, high] is the band around it; for actuals
    low = high = volume. `aht_seconds` is the handle time to plan with (forecast) or the
    measured one (actuals: 0.0 when nothing was measured)."""

    start_at: datetime
    volume: float
    low: float
    high: float
    is_override: bool
    aht_seconds: float


def latest_run(session: Session, queue_id: int) -> ForecastRun | None:
    return session.scalar(
        select(ForecastRun)
        .where(ForecastRun.queue_id == queue_id)
        .order_by(ForecastRun.id.desc())
        .limit(1)
    )


def planned_aht(queue: WorkforceQueue, run: ForecastRun | None) -> float:
    """The manual AHT when set, else the one measured for the latest run, else the default."""
    if queue.aht_seconds:
        return float(queue.aht_seconds)
    if run is not None and run.measured_aht_seconds:
        return float(run.measured_aht_seconds)
    return DEFAULT_AHT_SECONDS


def forecast_volume(
    session: Session, *, queue_id: int, start: datetime, end: datetime
) -> list[IntervalVolume]:
    """The latest run's forecast for the intervals starting in [start, end), with holidays,
    events and overrides applied; [] when the queue has never been forecast."""
    queue = get_queue(session, queue_id)
    run = latest_run(session, queue_id)
    if run is None:
        return []
    start = floor_interval(start, queue.interval_minutes)
    rows = session.scalars(
        select(ForecastInterval)
        .where(
            ForecastInterval.run_id == run.id,
            ForecastInterval.start_at >= start,
            ForecastInterval.start_at < end,
        )
        .order_by(ForecastInterval.start_at)
    ).all()
    events = adjustments.events_for(session, queue_id=queue_id, start=start, end=end)
    overrides = adjustments.overrides_for(session, queue_id=queue_id, start=start, end=end)
    aht = planned_aht(queue, run)
    result = []
    for row in rows:
        factor = adjustments.event_multiplier(events, row.start_at)
        if adjustments.is_holiday(queue, row.start_at):
            factor *= queue.holiday_multiplier
        override = overrides.get(row.start_at)
        if override is not None:
            volume = low = high = override.volume
        else:
            volume, low, high = row.volume * factor, row.low * factor, row.high * factor
        result.append(
            IntervalVolume(
                start_at=row.start_at,
                volume=volume,
                low=low,
                high=high,
                is_override=override is not None,
                aht_seconds=aht,
            )
        )
    return result


def actual_volume(
    session: Session, *, queue_id: int, start: datetime, end: datetime
) -> list[IntervalVolume]:
    """Contacts that arrived in each interval of [start, end): kefu's tickets on the queue's
    channel (team, store), or the imported history where there is some."""
    queue = get_queue(session, queue_id)
    return [
        IntervalVolume(
            start_at=item.start_at,
            volume=float(item.contacts),
            low=float(item.contacts),
            high=float(item.contacts),
            is_override=False,
            aht_seconds=item.aht_seconds or 0.0,
        )
        for item in queue_history(session, queue, start=start, end=end)
    ]
