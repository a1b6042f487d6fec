"""Adherence and conformance: what agents did (their status log) against their schedule.

Scheduled time is a shift less its breaks. An agent is *in adherence* while scheduled and
online; adherence = in-adherence time / scheduled time. Conformance = online time (scheduled
or not) / scheduled time, so overtime shows above 100 %."""

from dataclasses import dataclass
from datetime import datetime

Span = tuple[datetime, datetime]
ONLINE = "online"


def online_spans(timeline: list[tuple[datetime, str]], end_at: datetime) -> list[Span]:
    """The spans an agent was online, from a timeline led by its opening status."""
    spans = []
    for i, (at, status) in enumerate(timeline):
        until = timeline[i + 1][0] if i + 1 < len(timeline) else end_at
        if status == ONLINE and until > at:
            spans.append((at, min(until, end_at)))
    return spans


def overlap_seconds(first: list[Span], second: list[Span]) -> float:
    total = 0.0
    for a_start, a_end in first:
        for b_start, b_end in second:
            start, end = max(a_start, b_start), min(a_end, b_end)
            if end > start:
                total += (end - start).total_seconds()
    return total


def clip(spans: list[Span], start_at: datetime, end_at: datetime) -> list[Span]:
    return [
        (max(s, start_at), min(e, end_at)) for s, e in spans if min(e, end_at) > max(s, start_at)
    ]


def seconds(spans: list[Span]) -> float:
    return sum((e - s).total_seconds() for s, e in spans)


@dataclass(frozen=True, slots=True)
class Adherence:
    agent_id: int
    scheduled_seconds: float
    online_seconds: float
    in_adherence_seconds: float
    is_scheduled_now: bool
    is_online_now: bool

    @property
    def adherence(self) -> float | None:
        if not self.scheduled_seconds:
            return None
        return self.in_adherence_seconds / self.scheduled_seconds

    @property
    def conformance(self) -> float | None:
        if not self.scheduled_seconds:
            return None
        return self.online_seconds / self.scheduled_seconds

    @property
    def out_of_adherence_now(self) -> bool:
        return self.is_scheduled_now != self.is_online_now


def measure(
    agent_id: int,
    *,
    working: list[Span],
    timeline: list[tuple[datetime, str]],
    start_at: datetime,
    now: datetime,
) -> Adherence:
    """One agent's figures from `start_at` up to `now` (later scheduled time is not due yet)."""
    scheduled = clip(working, start_at, now)
    online = clip(online_spans(timeline, now), start_at, now)
    at_now = timeline[-1][1] if timeline else "offline"
    return Adherence(
        agent_id=agent_id,
        scheduled_seconds=seconds(scheduled),
        online_seconds=seconds(online),
        in_adherence_seconds=overlap_seconds(scheduled, online),
        is_scheduled_now=any(s <= now < e for s, e in working),
        is_online_now=at_now == ONLINE,
    )
