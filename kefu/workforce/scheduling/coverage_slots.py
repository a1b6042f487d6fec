"""Coverage counted on slots finer than the forecast's intervals, as breaks are placed.

A requirement says how many agents a queue needs over an interval; breaks start on a 15-minute
grid. Counted per interval in agent-minutes, two agents who both lunch 12:15–12:45 would leave
12:00–12:30 and 12:30–13:00 "covered" (30 of 60 minutes each, one agent needed), though nobody
answers the queue for half an hour. Counted per 15-minute slot they are short, and the solver
staggers them. The model, its lower bound and the checker all count on these slots, so the
objective the solver reports is the one the checker computes for its roster.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from math import gcd

from kefu.workforce.scheduling.problem import Horizon, Problem

BREAK_GRID_MINUTES = 15  # breaks start on this grid (offsets from the shift's start)


def slot_minutes(horizon: Horizon) -> int:
    """The coverage slot: the interval split to the break grid (15 minutes for 15 and 30)."""
    return gcd(horizon.interval_minutes, BREAK_GRID_MINUTES)


def spread(horizon: Horizon, start: int, end: int) -> Iterator[tuple[int, int]]:
    """(slot, minutes of [start, end) in it) for the slots the span touches on the horizon."""
    size = slot_minutes(horizon)
    last = horizon.minutes // size
    for slot in range(max(0, start // size), min(last, -(-end // size))):
        overlap = min(end, (slot + 1) * size) - max(start, slot * size)
        if overlap > 0:
            yield slot, overlap


def slot_needs(problem: Problem) -> dict[tuple[int, int], int]:
    """Agent-minutes required per (queue, slot): each interval's need spread evenly over its
    slots, rounded so that the slots of an interval add up to the interval's rounded need."""
    step = slot_minutes(problem.horizon)
    per = problem.horizon.interval_minutes // step
    agents: dict[tuple[int, int], float] = defaultdict(float)
    for req in problem.requirements:
        agents[req.queue_id, req.interval] += req.agents
    needs: dict[tuple[int, int], int] = {}
    for (queue, interval), count in agents.items():
        for k in range(per):
            minutes = round(count * step * (k + 1)) - round(count * step * k)
            needs[queue, interval * per + k] = minutes
    return needs


def slot_floor(horizon: Horizon, shifts: Iterable) -> dict[tuple[int, int], int]:
    """Agent-minutes on the floor per (queue, slot): shift time less its breaks."""
    found: dict[tuple[int, int], int] = defaultdict(int)
    for shift in shifts:
        for slot, minutes in spread(horizon, shift.start_minute, shift.end_minute):
            found[shift.queue_id, slot] += minutes
        for b in shift.breaks:
            for slot, minutes in spread(horizon, b.start_minute, b.end_minute):
                found[shift.queue_id, slot] -= minutes
    return found
