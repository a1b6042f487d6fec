"""Intraday: today's forecast against what has arrived, and the rest of the day
re-forecast by how far the day so far has run above or below its forecast."""

from dataclasses import dataclass, replace
from datetime import date, datetime

from sqlalchemy.orm import Session

from kefu.workforce.forecasting import IntervalVolume, actual_volume, forecast_volume
from kefu.workforce.intervals import floor_interval, local_day, local_day_bounds
from kefu.workforce.queues import get_queue

# The day so far must have been expected to bring this many contacts before it is trusted
# to rescale the rest of the day (one busy minute at 00:30 says nothing about 14:00).
MIN_EXPECTED_CONTACTS = 20.0
FACTOR_LIMITS = (0.25, 4.0)


@dataclass(frozen=True, slots=True)
class IntradayInterval:
    """One interval of today: the forecast (None before any run), what arrived (None for
    intervals not yet over) and, for the intervals still to come, the re-forecast."""

    start_at: datetime
    forecast: float | None
    actual: float | None
    reforecast: float | None
    forecast_aht_seconds: float | None
    actual_aht_seconds: float | None
    is_override: bool


@dataclass(frozen=True, slots=True)
class Intraday:
    queue_id: int
    day: date
    factor: float  # actual ÷ forecast over the intervals already over (1.0 until trusted)
    intervals: list[IntradayInterval]


def day_factor(forecast: float, actual: float) -> float:
    """How the rest of the day is scaled: actual ÷ forecast so far, within 0.25–4, and 1.0
    while the day so far was expected to bring fewer than MIN_EXPECTED_CONTACTS."""
    if forecast < MIN_EXPECTED_CONTACTS:
        return 1.0
    low, high = FACTOR_LIMITS
    return min(max(actual / forecast, low), high)


def intraday(session: Session, *, queue_id: int, now: datetime) -> Intraday:
    """The queue's local day holding `now`, interval by interval. Intervals that started
    before the current one are over; the current one and later ones get the re-forecast
    (a manager's override is kept as entered, not rescaled)."""
    queue = get_queue(session, queue_id)
    day = local_day(now, queue.time_zone)
    start, end = local_day_bounds(day, queue.time_zone)
    current = floor_interval(now, queue.interval_minutes)
    forecast = {item.start_at: item for item in forecast_volume(
        session, queue_id=queue_id, start=start, end=end)}  # fmt: skip
    actual = {item.start_at: item for item in actual_volume(
        session, queue_id=queue_id, start=start, end=current)}  # fmt: skip
    expected = sum(forecast[at].volume for at in actual if at in forecast)
    arrived = sum(actual[at].volume for at in actual if at in forecast)
    factor = day_factor(expected, arrived)
    intervals = []
    for at in sorted(set(forecast) | set(actual)):
        planned, seen = forecast.get(at), actual.get(at)
        reforecast = None
        if at >= current and planned is not None:
            reforecast = planned.volume if planned.is_override else planned.volume * factor
        intervals.append(
            IntradayInterval(
                start_at=at,
                forecast=planned.volume if planned else None,
                actual=seen.volume if seen else None,
                reforecast=reforecast,
                forecast_aht_seconds=planned.aht_seconds if planned else None,
                actual_aht_seconds=(seen.aht_seconds or None) if seen else None,
                is_override=bool(planned and planned.is_override),
            )
        )
    return Intraday(queue_id=queue_id, day=day, factor=factor, intervals=intervals)


def reforecast_rest_of_day(
    session: Session, *, queue_id: int, now: datetime
) -> list[IntervalVolume]:
    """The forecast of the current and later intervals of today, re-scaled as in
    `intraday` (band scaled alike; overrides unchanged): what staffing re-plans with."""
    queue = get_queue(session, queue_id)
    today = intraday(session, queue_id=queue_id, now=now)
    _start, end = local_day_bounds(today.day, queue.time_zone)
    current = floor_interval(now, queue.interval_minutes)
    rest = forecast_volume(session, queue_id=queue_id, start=current, end=end)
    return [item if item.is_override else _scaled(item, today.factor) for item in rest]


def _scaled(item: IntervalVolume, factor: float) -> IntervalVolume:
    return replace(
        item, volume=item.volume * factor, low=item.low * factor, high=item.high * factor
    )
