"""Intraday: today's forecast against actual volume, scheduled against online agents per
interval, and each scheduled agent's adherence and conformance so far."""

from dataclasses import dataclass
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


def _volumes(session: Session, queue: Any, window: Window) -> tuple[dict, dict]:
    from kefu.workforce import forecasting

    forecast = forecasting.forecast_volume(
        session, queue_id=queue.id, start=window.start_at, end=window.end_at
    )
    actual = forecasting.actual_volume(
        session, queue_id=queue.id, start=window.start_at, end=window.end_at
    )
    return {v.start_at: v for v in forecast}, {v.start_at: v for v in actual}


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
    forecast, actual = _volumes(session, queue, window)
    intervals = []
    for i, at in enumerate(window.intervals):
        f, a = forecast.get(at), actual.get(at) if at < until else None
        intervals.append(
            IntervalRow(
                start_at=at,
                forecast=round(f.volume, 1) if f else None,
                actual=round(a.volume, 1) if a else None,
                forecast_aht=round(f.aht_seconds) if f and f.aht_seconds else None,
                actual_aht=round(a.aht_seconds) if a and a.aht_seconds else None,
                scheduled=scheduled_row[i],
                online=online_row[i] if at < until else 0.0,
            )
        )
    return Intraday(day=day, time_zone=queue.time_zone, now=now, intervals=intervals, agents=agents)
