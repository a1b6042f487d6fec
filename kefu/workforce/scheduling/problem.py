"""A roster problem and its solution as frozen dataclasses: what the scheduler reads and writes.

No database here. The roster service turns its tables into a `Problem`, calls
`kefu.workforce.scheduling.solver.solve` (or `explain`), and stores the `RosterSolution`.

Time is counted in *minutes from the horizon's start*: minute 0 is local midnight (in the
horizon's time zone) of `Horizon.start_date`; day d covers minutes [1440·d, 1440·(d+1)) and
interval i covers [interval_minutes·i, interval_minutes·(i+1)). The grid is local wall-clock
time, so every day has 24 h; `Horizon.at()` and `Horizon.minute_of()` convert to and from UTC
(on a daylight-saving day the hour that does not exist or repeats is taken as it falls).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 1440


@dataclass(frozen=True)
class Horizon:
    start_date: date  # first local day (a Monday for week-based rules that read naturally)
    days: int  # 1..28
    interval_minutes: int = 30  # 15 or 30
    time_zone: str = "UTC"

    @property
    def intervals_per_day(self) -> int:
        return MINUTES_PER_DAY // self.interval_minutes

    @property
    def intervals(self) -> int:
        return self.days * self.intervals_per_day

    @property
    def minutes(self) -> int:
        return self.days * MINUTES_PER_DAY

    @property
    def weeks(self) -> int:
        """7-day blocks from start_date; the last one may be shorter."""
        return -(-self.days // 7)

    def weekday(self, day: int) -> int:
        """Monday 0 … Sunday 6 of horizon day `day`."""
        return (self.start_date + timedelta(days=day)).weekday()

    def at(self, minute: int) -> datetime:
        """The UTC instant of a horizon minute."""
        local = datetime.combine(self.start_date, datetime.min.time()) + timedelta(minutes=minute)
        return local.replace(tzinfo=ZoneInfo(self.time_zone)).astimezone(UTC)

    def minute_of(self, moment: datetime) -> int:
        """The horizon minute of an aware datetime (floored to the minute)."""
        local = moment.astimezone(ZoneInfo(self.time_zone)).replace(tzinfo=None)
        start = datetime.combine(self.start_date, datetime.min.time())
        return int((local - start).total_seconds() // 60)

    def interval_of(self, moment: datetime) -> int:
        return self.minute_of(moment) // self.interval_minutes


@dataclass(frozen=True)
class Queue:
    id: int
    name: str


@dataclass(frozen=True)
class Requirement:
    """Agents needed on `queue_id` in interval `interval` (scheduled agents, after shrinkage)."""

    queue_id: int
    interval: int
    agents: float


@dataclass(frozen=True)
class BreakRule:
    """A break or lunch inside a shift; offsets are minutes from the shift's start.

    The break starts somewhere in [earliest_offset_minutes, latest_offset_minutes] on the
    horizon's break grid (15 minutes, or the interval if shorter). The windows of one
    template's breaks must not overlap (each ends before the next can start).
    """

    name: str  # "break", "lunch" … (shown to people; the roster translates)
    length_minutes: int
    earliest_offset_minutes: int
    latest_offset_minutes: int
    is_paid: bool = True


@dataclass(frozen=True)
class ShiftTemplate:
    id: int
    name: str
    start_minutes: tuple[int, ...]  # allowed local start times, minutes after midnight
    length_minutes: int  # may run past midnight; counted on the day it starts
    breaks: tuple[BreakRule, ...] = ()
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)  # days of the week it may be used

    @property
    def paid_minutes(self) -> int:
        return self.length_minutes - sum(b.length_minutes for b in self.breaks if not b.is_paid)


def start_times(earliest_minutes: int, latest_minutes: int, step_minutes: int) -> tuple[int, ...]:
    """Start times every `step_minutes` from earliest to latest inclusive (a template helper)."""
    return tuple(range(earliest_minutes, latest_minutes + 1, step_minutes))


@dataclass(frozen=True)
class Span:
    """Minutes [start_minute, end_minute) from the horizon's start."""

    start_minute: int
    end_minute: int

    def contains(self, start: int, end: int) -> bool:
        return self.start_minute <= start and end <= self.end_minute

    def overlaps(self, start: int, end: int) -> bool:
        return self.start_minute < end and start < self.end_minute


def weekly_spans(horizon: Horizon, windows: list[tuple[int, int, int]]) -> tuple[Span, ...]:
    """Availability given per weekday — (weekday, start minute, end minute) — as horizon spans.

    An end past 1440 runs into the next day (a night availability).
    """
    return tuple(
        Span(day * MINUTES_PER_DAY + start, day * MINUTES_PER_DAY + end)
        for day in range(horizon.days)
        for weekday, start, end in windows
        if horizon.weekday(day) == weekday
    )


@dataclass(frozen=True)
class ShiftMatch:
    """Which shifts a preference or a ban is about; None matches anything."""

    template_id: int | None = None
    day: int | None = None  # a horizon day
    weekday: int | None = None  # Monday 0 … Sunday 6


@dataclass(frozen=True)
class TimeOff:
    """Approved time off; `credited_minutes` count towards the contract hours (paid leave)."""

    start_minute: int
    end_minute: int
    credited_minutes: int = 0


@dataclass(frozen=True)
class PlacedBreak:
    name: str
    start_minute: int
    length_minutes: int
    is_paid: bool = True

    @property
    def end_minute(self) -> int:
        return self.start_minute + self.length_minutes


@dataclass(frozen=True)
class FixedShift:
    """A shift that must be kept as it is (a manager's manual edit).

    Breaks: given → kept as given; None with a template → placed by the scheduler inside the
    template's windows; None without a template → no breaks. Queue None → the scheduler picks
    one of the agent's queues. Availability and preferences do not apply to it; time off and
    the labour rules do.
    """

    start_minute: int
    end_minute: int
    template_id: int | None = None
    queue_id: int | None = None
    breaks: tuple[PlacedBreak, ...] | None = None


@dataclass(frozen=True)
class Agent:
    id: int
    name: str
    queue_ids: tuple[int, ...]  # queues (skills) the agent can serve
    min_minutes_per_week: int = 0  # contract hours (paid minutes) per full week
    max_minutes_per_week: int | None = None  # None → the rules' limit; else the smaller one
    template_ids: tuple[int, ...] | None = None  # None → every template
    availability: tuple[Span, ...] | None = None  # None → always available
    preferred: tuple[ShiftMatch, ...] = ()  # soft: rewarded when worked
    avoided: tuple[ShiftMatch, ...] = ()  # soft: penalised when worked
    forbidden: tuple[ShiftMatch, ...] = ()  # hard: never scheduled
    time_off: tuple[TimeOff, ...] = ()
    fixed_shifts: tuple[FixedShift, ...] = ()
    # The roster before this horizon, so rest and consecutive days carry over.
    last_shift_end_minute: int | None = None  # ≤ 0: minutes from the horizon's start
    days_worked_before: int = 0  # consecutive working days ending the day before day 0


@dataclass(frozen=True)
class LabourRules:
    """Limits a manager sets (per site); every one is a hard rule except where marked."""

    max_minutes_per_day: int = 600  # paid minutes of the shift starting that day
    max_minutes_per_week: int = 2400  # paid minutes per 7-day block from start_date
    min_rest_minutes: int = 660  # from one shift's end to the next one's start
    max_consecutive_days: int = 6
    min_days_off_per_week: int = 1  # per full 7-day block
    max_nights_per_week: int | None = None
    max_weekends_worked: int | None = None  # in the whole horizon
    night_start_minutes: int = 22 * 60  # the night window, local
    night_end_minutes: int = 6 * 60
    night_minimum_minutes: int = 180  # a shift with this much in the night window is a night
    weekend_days: tuple[int, ...] = (5, 6)


@dataclass(frozen=True)
class ObjectiveWeights:
    """Objective = Σ these weights × their measures; under-coverage first by a wide margin."""

    under_coverage: int = 1000  # per agent-minute short of the requirement
    over_coverage: int = 1  # per agent-minute over it
    preference: int = 30  # subtracted per worked shift matching `preferred`
    avoided: int = 30  # per shift matching `avoided`
    fairness: int = 60  # per night (and per weekend day) on the most-loaded agent


@dataclass(frozen=True)
class Problem:
    horizon: Horizon
    queues: tuple[Queue, ...]
    requirements: tuple[Requirement, ...]
    templates: tuple[ShiftTemplate, ...]
    agents: tuple[Agent, ...]
    rules: LabourRules = field(default_factory=LabourRules)
    weights: ObjectiveWeights = field(default_factory=ObjectiveWeights)

    def validate(self) -> None:
        """Raise ValueError with the reason when the problem is malformed (not just infeasible)."""
        _validate(self)


class Rule(enum.StrEnum):
    """A rule the scheduler enforces, as named in a `Conflict`."""

    COVERAGE = "coverage"
    MAX_MINUTES_PER_DAY = "max_minutes_per_day"
    MAX_MINUTES_PER_WEEK = "max_minutes_per_week"
    CONTRACT_MINUTES = "contract_minutes"
    MIN_REST = "min_rest"
    MAX_CONSECUTIVE_DAYS = "max_consecutive_days"
    MIN_DAYS_OFF = "min_days_off_per_week"
    MAX_NIGHTS = "max_nights_per_week"
    MAX_WEEKENDS = "max_weekends_worked"
    ONE_SHIFT_PER_DAY = "one_shift_per_day"
    TIME_OFF = "time_off"
    AVAILABILITY = "availability"
    FORBIDDEN = "forbidden"
    SKILL = "skill"
    BREAKS = "breaks"  # a break outside its window, or a shift no template allows


@dataclass(frozen=True)
class Conflict:
    """A rule that cannot be met, and where."""

    rule: Rule
    message: str  # English, for logs and the CLI; pages build their own from the fields
    agent_id: int | None = None
    queue_id: int | None = None
    day: int | None = None
    week: int | None = None
    interval: int | None = None  # the first interval concerned
    intervals: int = 1  # how many consecutive intervals from `interval`


@dataclass(frozen=True)
class ScheduledShift:
    agent_id: int
    day: int
    start_minute: int
    end_minute: int
    queue_id: int
    template_id: int | None = None
    breaks: tuple[PlacedBreak, ...] = ()
    is_fixed: bool = False

    @property
    def paid_minutes(self) -> int:
        unpaid = sum(b.length_minutes for b in self.breaks if not b.is_paid)
        return self.end_minute - self.start_minute - unpaid


@dataclass(frozen=True)
class Coverage:
    queue_id: int
    interval: int
    required: float  # agents
    scheduled: float  # agents on the floor on average (breaks taken out)


class SolveStatus(enum.StrEnum):
    OPTIMAL = "optimal"  # proven best
    FEASIBLE = "feasible"  # a roster, not proven best when the time ran out
    INFEASIBLE = "infeasible"  # the rules contradict each other: see `conflicts`
    UNKNOWN = "unknown"  # no roster found within the time limit


@dataclass(frozen=True)
class Progress:
    """Reported to `solve(progress=…)` on every better roster found."""

    elapsed_seconds: float
    solutions: int  # the first ones are planned agent by agent, the rest are CP-SAT's
    objective: float
    best_bound: float  # proven (LP relaxation, CP-SAT); before the first: trivial, gap ~100%
    gap: float  # relative: (objective − bound) / max(1, |objective|)
    shortfall_agent_hours: float
    first_solution_seconds: float
    phase: str = "planning"  # "planning" (agent by agent) or "cp-sat"
    bound_seconds: float | None = None  # when the proven bound was found (None: trivial)


@dataclass(frozen=True)
class RosterSolution:
    status: SolveStatus
    shifts: tuple[ScheduledShift, ...]
    coverage: tuple[Coverage, ...]  # every (queue, interval) with a requirement or a shift
    shortfall_agent_hours: float  # Σ under-coverage
    overstaffed_agent_hours: float  # Σ over-coverage
    objective: float | None
    best_bound: float | None
    gap: float | None
    first_solution_seconds: float | None
    wall_seconds: float
    conflicts: tuple[Conflict, ...] = ()  # why it is infeasible, or which intervals stay short
    bound_seconds: float | None = None  # when `best_bound` was proven (from the solve's start)


def _validate(problem: Problem) -> None:
    horizon = problem.horizon
    if not 1 <= horizon.days <= 28:
        raise ValueError("the horizon must be 1 to 28 days")
    if horizon.interval_minutes not in (15, 30, 60):
        raise ValueError("interval_minutes must be 15, 30 or 60")
    ZoneInfo(horizon.time_zone)
    queue_ids = {q.id for q in problem.queues}
    if len(queue_ids) != len(problem.queues):
        raise ValueError("queue ids must be unique")
    for req in problem.requirements:
        if req.queue_id not in queue_ids:
            raise ValueError(f"requirement for unknown queue {req.queue_id}")
        if not 0 <= req.interval < horizon.intervals or req.agents < 0:
            raise ValueError(f"requirement out of range: {req}")
    template_ids = {t.id for t in problem.templates}
    if len(template_ids) != len(problem.templates):
        raise ValueError("template ids must be unique")
    for template in problem.templates:
        if template.length_minutes <= 0 or template.length_minutes > MINUTES_PER_DAY:
            raise ValueError(f"template {template.name}: length must be 1..1440 minutes")
        if any(not 0 <= s < MINUTES_PER_DAY for s in template.start_minutes):
            raise ValueError(f"template {template.name}: start times must be within the day")
        _validate_breaks(template.name, template.length_minutes, template.breaks)
    if len({a.id for a in problem.agents}) != len(problem.agents):
        raise ValueError("agent ids must be unique")
    for agent in problem.agents:
        if not agent.queue_ids or not set(agent.queue_ids) <= queue_ids:
            raise ValueError(f"agent {agent.name}: queues must be known and not empty")
        if agent.template_ids is not None and not set(agent.template_ids) <= template_ids:
            raise ValueError(f"agent {agent.name}: unknown template")
        for fixed in agent.fixed_shifts:
            if not 0 < fixed.end_minute - fixed.start_minute <= MINUTES_PER_DAY:
                raise ValueError(f"agent {agent.name}: a fixed shift must last 1..1440 minutes")
            if not 0 <= fixed.start_minute < horizon.minutes:
                raise ValueError(f"agent {agent.name}: a fixed shift starts outside the horizon")
            if fixed.queue_id is not None and fixed.queue_id not in agent.queue_ids:
                raise ValueError(f"agent {agent.name}: a fixed shift's queue is not theirs")
            if fixed.template_id is not None and fixed.template_id not in template_ids:
                raise ValueError(f"agent {agent.name}: a fixed shift's template is unknown")


def _validate_breaks(name: str, length: int, breaks: tuple[BreakRule, ...]) -> None:
    previous_end = 0
    for rule in breaks:
        if rule.length_minutes <= 0 or rule.earliest_offset_minutes > rule.latest_offset_minutes:
            raise ValueError(f"template {name}: break {rule.name} has an empty window")
        if rule.earliest_offset_minutes < previous_end:
            raise ValueError(f"template {name}: break windows overlap or are out of order")
        if rule.latest_offset_minutes + rule.length_minutes > length:
            raise ValueError(f"template {name}: break {rule.name} ends after the shift")
        previous_end = rule.latest_offset_minutes + rule.length_minutes
