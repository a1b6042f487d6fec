"""Intraday: today's forecast against actual volume, scheduled against online agents per
interval, and each scheduled agent's adherence and conformance so far."""

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.workforce.scheduling import adherence, rosters, status_log
from kefu.workforce.scheduling.coverage import working_spans
from kefu.workforce.scheduling.rosters import Window, local_midnight


@dataclass(frozen=True, slots=True)
class IntervalRow:
    start_at: datetime
    forecast: float | None
    actual: float | None
    reforecast: float | None  # the rest of today, scaled by how the day so far has run
    forecast_aht: float | None
    actual_aht: float | None
    scheduled: float
    online: float


@dataclass(frozen=True, slots=True)
class AgentRow:
    agent_id: int
    name: str
    shifts: list[tuple[datetime, datetime]]
    figures: adherence.Adherence


@dataclass(frozen=True, slots=True)
class Intraday:
    day: date
    time_zone: str
    now: datetime
    intervals: list[IntervalRow]
    agents: list[AgentRow]


def _average_per_interval(spans: list[tuple[datetime, datetime]], window: Window) -> list[float]:
    step = timedelta(minutes=window.interval_minutes)
    values = []
    for start in window.intervals:
        covered = adherence.overlap_seconds(spans, [(start, start + step)])
        values.append(round(covered / step.total_seconds(), 2))
    return values


def _volumes(session: Session, queue: Any, window: Window, now: datetime) -> dict:
    """The forecast side's view of the day, interval by interval: the forecast, what
    arrived, and the rest of the day re-forecast from the day so far (past days: all over)."""
    from kefu.workforce import intraday as forecast_side

    if now >= window.end_at:  # a past day: nothing left to re-forecast
        at = window.end_at - timedelta(microseconds=1)
        day = forecast_side.intraday(session, queue_id=queue.id, now=at)
        return {item.start_at: replace(item, reforecast=None) for item in day.intervals}
    at = max(now, window.start_at)
    day = forecast_side.intraday(session, queue_id=queue.id, now=at)
    return {item.start_at: item for item in day.intervals}


def _one(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _row(at: datetime, v: Any, *, is_over: bool, scheduled: float, online: float) -> IntervalRow:
    """One interval's line: what arrived and its handle time only once the interval began."""
    if v is None:
        return IntervalRow(at, None, None, None, None, None, scheduled, online if is_over else 0.0)
    return IntervalRow(
        start_at=at,
        forecast=_one(v.forecast),
        actual=_one(v.actual) if is_over else None,
        reforecast=_one(v.reforecast),
        forecast_aht=round(v.forecast_aht_seconds) if v.forecast_aht_seconds else None,
        actual_aht=round(v.actual_aht_seconds) if is_over and v.actual_aht_seconds else None,
        scheduled=scheduled,
        online=online if is_over else 0.0,
    )


def intraday(session: Session, *, queue: Any, day: date, now: datetime) -> Intraday:
    """One queue's day (local) up to `now`: agents are those with a published shift on it."""
    window = Window(
        start_at=local_midnight(day, queue.time_zone),
        end_at=local_midnight(day + timedelta(days=1), queue.time_zone),
        interval_minutes=queue.interval_minutes,
        time_zone=queue.time_zone,
    )
    shifts = [
        s
        for s in rosters.published_shifts(session, window.start_at, window.end_at)
        if s.queue_id == queue.id
    ]
    agent_ids = sorted({s.agent_id for s in shifts})
    until = min(now, window.end_at)
    lines = status_log.timelines(session, agent_ids, window.start_at, until)
    names = accounts.agents_by_ids(session, agent_ids)
    working_by_agent = {
        a: [span for s in shifts if s.agent_id == a for span in working_spans(s)] for a in agent_ids
    }
    agents = [
        AgentRow(
            agent_id=a,
            name=names[a].name if a in names else str(a),
            shifts=[(s.start_at, s.end_at) for s in shifts if s.agent_id == a],
            figures=adherence.measure(
                a,
                working=working_by_agent[a],
                timeline=lines[a],
                start_at=window.start_at,
                now=until,
            ),
        )
        for a in agent_ids
    ]
    all_working = [span for spans in working_by_agent.values() for span in spans]
    online = [span for a in agent_ids for span in adherence.online_spans(lines[a], until)]
    scheduled_row = _average_per_interval(all_working, window)
    online_row = _average_per_interval(online, window)
    volumes = _volumes(session, queue, window, now)
    intervals = [
        _row(
            at,
            volumes.get(at),
            is_over=at < until,
            scheduled=scheduled_row[i],
            online=online_row[i],
        )
        for i, at in enumerate(window.intervals)
    ]
    return Intraday(day=day, time_zone=queue.time_zone, now=now, intervals=intervals, agents=agents)
