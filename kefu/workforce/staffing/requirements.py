"""Staff required per queue and interval, from the forecast: Erlang C or A for voice and chat,
the workload to clear within the SLA window in business hours for email and other async work."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from kefu.sla.business_hours import calendar_of, schedule_for
from kefu.sla.calendar import Calendar
from kefu.workforce.forecasting import IntervalVolume, forecast_volume
from kefu.workforce.intervals import floor_interval
from kefu.workforce.models import WorkforceQueue
from kefu.workforce.queues import get_queue
from kefu.workforce.staffing.erlang import after_shrinkage, staff_interval

# How far before `start` async arrivals are read: their SLA window may reach into [start, end).
MAX_LOOKBACK_DAYS = 60


@dataclass(frozen=True, slots=True)
class StaffRequirement:
    """One interval's requirement. For async queues ("workload") the queueing measures
    (service level, waiting, ASA, abandonment) do not apply and are None; occupancy is the
    planned share of the agents' open time spent on the workload."""

    start_at: datetime
    queue_id: int
    volume: float
    aht_seconds: float
    raw_agents: int
    scheduled_agents: int
    service_level: float | None
    occupancy: float
    wait_probability: float | None
    asa_seconds: float | None
    abandon_rate: float | None
    model: str = "erlang_c"  # "erlang_c", "erlang_a" or "workload"


def required_staff(
    session: Session, *, queue_id: int, start: datetime, end: datetime
) -> list[StaffRequirement]:
    """Requirements for the forecast intervals starting in [start, end), in order; [] when
    the queue has no forecast yet."""
    queue = get_queue(session, queue_id)
    if queue.async_within_hours:
        return _async_requirements(session, queue, start, end)
    return [_erlang(queue, item) for item in forecast_volume(
        session, queue_id=queue_id, start=start, end=end)]  # fmt: skip


def _erlang(queue: WorkforceQueue, item: IntervalVolume) -> StaffRequirement:
    staffing = staff_interval(
        volume=_contacts(item.volume),
        interval_minutes=queue.interval_minutes,
        aht_seconds=item.aht_seconds,
        service_level=None if queue.asa_target_seconds else queue.service_level_target,
        answer_within_seconds=queue.answer_within_seconds,
        max_occupancy=queue.max_occupancy,
        shrinkage=queue.shrinkage,
        patience_seconds=queue.patience_seconds or None,
        concurrency=queue.concurrency or 1,
        asa_target_seconds=queue.asa_target_seconds or None,
    )
    return StaffRequirement(
        start_at=item.start_at,
        queue_id=queue.id,
        volume=item.volume,
        aht_seconds=item.aht_seconds,
        raw_agents=staffing.raw_agents,
        scheduled_agents=staffing.scheduled_agents,
        service_level=staffing.service_level,
        occupancy=staffing.occupancy,
        wait_probability=staffing.wait_probability,
        asa_seconds=staffing.asa_seconds,
        abandon_rate=staffing.abandon_rate,
        model=staffing.model,
    )


def _async_requirements(
    session: Session, queue: WorkforceQueue, start: datetime, end: datetime
) -> list[StaffRequirement]:
    calendar = calendar_of(schedule_for(session, team_id=queue.team_id, store_id=queue.store_id))
    window_hours = queue.async_within_hours or 0
    lookback = timedelta(days=min(MAX_LOOKBACK_DAYS, window_hours + 4))
    start = floor_interval(start, queue.interval_minutes)
    arrivals = forecast_volume(session, queue_id=queue.id, start=start - lookback, end=end)
    return plan_workload(
        arrivals,
        calendar=calendar,
        interval_minutes=queue.interval_minutes,
        window_seconds=window_hours * 3600,
        max_occupancy=queue.max_occupancy,
        shrinkage=queue.shrinkage,
        queue_id=queue.id,
        start=start,
    )


def plan_workload(
    arrivals: Sequence[IntervalVolume],
    *,
    calendar: Calendar,
    interval_minutes: int,
    window_seconds: int,
    max_occupancy: float,
    shrinkage: float,
    queue_id: int,
    start: datetime,
) -> list[StaffRequirement]:
    """Agents per interval so that every contact is handled within `window_seconds` of open
    (business) time after the interval it arrived in.

    Each interval's work (contacts × AHT) is spread evenly over the open time of its window,
    so a backlog that arrives overnight or at the weekend is worked off in the first open
    hours, and a peak is shared with the quieter hours that follow it; an interval's agents
    are the work it receives ÷ (its open seconds × max occupancy), rounded up. The plan meets
    every deadline by construction. Arrivals before `start` only contribute their spill-over.
    """
    length = timedelta(minutes=interval_minutes)
    if not arrivals or window_seconds <= 0:
        return []
    slots = _slots(arrivals[0].start_at, arrivals[-1].start_at + length, length)
    index = {at: i for i, at in enumerate(slots)}
    open_seconds = [calendar.business_seconds_between(at, at + length) for at in slots]
    work = [0.0] * len(slots)
    for item in arrivals:
        load = _contacts(item.volume) * item.aht_seconds
        if load <= 0:
            continue
        remaining = window_seconds
        i = index[item.start_at]
        while remaining > 0 and i < len(slots):
            taken = min(open_seconds[i], remaining)
            work[i] += load * taken / window_seconds
            remaining -= taken
            i += 1
    result = []
    for item in arrivals:
        if item.start_at < start:
            continue
        i = index[item.start_at]
        capacity = open_seconds[i] * max_occupancy
        raw = math.ceil(work[i] / capacity - 1e-9) if capacity > 0 and work[i] > 0 else 0
        occupancy = work[i] / (open_seconds[i] * raw) if raw else 0.0
        result.append(
            StaffRequirement(
                start_at=item.start_at,
                queue_id=queue_id,
                volume=item.volume,
                aht_seconds=item.aht_seconds,
                raw_agents=raw,
                scheduled_agents=after_shrinkage(raw, shrinkage),
                service_level=None,
                occupancy=occupancy,
                wait_probability=None,
                asa_seconds=None,
                abandon_rate=None,
                model="workload",
            )
        )
    return result


def _contacts(volume: float) -> float:
    """A forecast below zero (or not a number) plans for no contacts."""
    return volume if math.isfinite(volume) and volume > 0 else 0.0


def _slots(first: datetime, end: datetime, length: timedelta) -> list[datetime]:
    slots = []
    at = first
    while at < end:
        slots.append(at)
        at += length
    return slots
