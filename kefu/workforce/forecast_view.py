"""What the forecast page shows for a queue and a week: forecast with its band, actuals for
the intervals already over, events, holidays, overrides and the run's model and WAPE."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from kefu.kit.i18n import N_
from kefu.kit.i18n import gettext as _
from kefu.workforce import adjustments
from kefu.workforce.forecasting import actual_volume, forecast_volume, latest_run
from kefu.workforce.intervals import floor_interval, local_day_bounds
from kefu.workforce.models import ForecastEvent, ForecastOverride, ForecastRun, WorkforceQueue
from kefu.workforce.queues import get_queue

WEEKDAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


@dataclass(frozen=True, slots=True)
class ForecastRow:
    start_at: datetime
    label: str  # local "Mon 11-11 20:00"
    forecast: float | None
    low: float | None
    high: float | None
    actual: float | None
    is_override: bool
    event_names: list[str]
    holiday: str | None


@dataclass(frozen=True, slots=True)
class ForecastView:
    queue: WorkforceQueue
    run: ForecastRun | None
    first_day: date
    days: int
    rows: list[ForecastRow]
    events: list[ForecastEvent]
    overrides: list[ForecastOverride]
    aht_seconds: float | None

    def local(self, moment: datetime) -> str:
        """A time as the queue's time zone reads it: "2026-11-11 20:00"."""
        return f"{moment.astimezone(ZoneInfo(self.queue.time_zone)):%Y-%m-%d %H:%M}"

    def chart(self) -> dict[str, Any]:
        """The Chart.js data: labels, forecast, band, actuals and the event intervals."""
        return {
            "labels": [row.label for row in self.rows],
            "forecast": [row.forecast for row in self.rows],
            "low": [row.low for row in self.rows],
            "high": [row.high for row in self.rows],
            "actual": [row.actual for row in self.rows],
            "events": [bool(row.event_names) for row in self.rows],
        }


def forecast_view(
    session: Session, *, queue_id: int, first_day: date, days: int, now: datetime
) -> ForecastView:
    queue = get_queue(session, queue_id)
    zone = ZoneInfo(queue.time_zone)
    start, _end = local_day_bounds(first_day, queue.time_zone)
    _start, end = local_day_bounds(first_day + timedelta(days=days - 1), queue.time_zone)
    forecast = {v.start_at: v for v in forecast_volume(
        session, queue_id=queue_id, start=start, end=end)}  # fmt: skip
    over = min(end, floor_interval(now, queue.interval_minutes))
    actual = {v.start_at: v for v in actual_volume(
        session, queue_id=queue_id, start=start, end=over)} if over > start else {}  # fmt: skip
    events = adjustments.events_for(session, queue_id=queue_id, start=start, end=end)
    rows = []
    step = timedelta(minutes=queue.interval_minutes)
    at = start
    while at < end:
        local = at.astimezone(zone)
        planned, seen = forecast.get(at), actual.get(at)
        rows.append(
            ForecastRow(
                start_at=at,
                label=f"{_(WEEKDAYS[local.weekday()])} {local:%m-%d %H:%M}",
                forecast=round(planned.volume, 1) if planned else None,
                low=round(planned.low, 1) if planned else None,
                high=round(planned.high, 1) if planned else None,
                actual=seen.volume if seen else None,
                is_override=bool(planned and planned.is_override),
                event_names=[e.name for e in events if e.starts_at <= at < e.ends_at],
                holiday=adjustments.holiday_name(queue.country, local.date()),
            )
        )
        at += step
    overrides = adjustments.overrides_for(session, queue_id=queue_id, start=start, end=end)
    aht = next(iter(forecast.values())).aht_seconds if forecast else None
    return ForecastView(
        queue=queue,
        run=latest_run(session, queue_id),
        first_day=first_day,
        days=days,
        rows=rows,
        events=events,
        overrides=sorted(overrides.values(), key=lambda o: o.start_at),
        aht_seconds=aht,
    )
