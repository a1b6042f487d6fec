"""The shifts each agent could work on each day: templates × start times filtered by the rules.

The scheduler decides among these options, never per agent-interval, which keeps a 200-agent,
4-week, 15-minute roster to a few hundred thousand booleans. A `Shape` (day, start, length,
break windows) is shared by every agent who may work it; coverage is counted per shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kefu.workforce.scheduling.problem import (
    MINUTES_PER_DAY,
    Agent,
    BreakRule,
    Conflict,
    FixedShift,
    LabourRules,
    Problem,
    Rule,
    ShiftMatch,
    ShiftTemplate,
)


@dataclass(frozen=True)
class Shape:
    day: int
    start: int  # horizon minutes
    end: int
    template_id: int | None
    breaks: tuple[BreakRule, ...]
    paid: int
    is_night: bool
    is_weekend: bool


@dataclass
class AgentOptions:
    agent: Agent
    by_day: dict[int, list[int]] = field(default_factory=dict)  # day → shape indexes
    fixed: dict[int, int] = field(default_factory=dict)  # day → the fixed shape's index
    fixed_queue: dict[int, int] = field(default_factory=dict)  # fixed shape → queue id


@dataclass
class Options:
    shapes: list[Shape]
    agents: list[AgentOptions]
    conflicts: list[Conflict]  # fixed shifts that break a rule before any solving


def night_minutes(rules: LabourRules, start: int, end: int) -> int:
    """Minutes of [start, end) inside the local night window of any day."""
    night_length = (rules.night_end_minutes - rules.night_start_minutes) % MINUTES_PER_DAY
    total = 0
    for day in range(start // MINUTES_PER_DAY - 1, end // MINUTES_PER_DAY + 1):
        night_start = day * MINUTES_PER_DAY + rules.night_start_minutes
        total += max(0, min(end, night_start + night_length) - max(start, night_start))
    return total


def is_night(rules: LabourRules, start: int, end: int) -> bool:
    return night_minutes(rules, start, end) >= rules.night_minimum_minutes


def matches(match: ShiftMatch, *, template_id: int | None, day: int, weekday: int) -> bool:
    return (
        (match.template_id is None or match.template_id == template_id)
        and (match.day is None or match.day == day)
        and (match.weekday is None or match.weekday == weekday)
    )


def fixed_breaks(problem: Problem, fixed: FixedShift) -> tuple[BreakRule, ...]:
    """A fixed shift's breaks as windows: given ones pinned, else its template's windows."""
    if fixed.breaks is not None:
        return tuple(
            BreakRule(b.name, b.length_minutes, offset, offset, is_paid=b.is_paid)
            for b in sorted(fixed.breaks, key=lambda b: b.start_minute)
            for offset in (b.start_minute - fixed.start_minute,)
        )
    template = next((t for t in problem.templates if t.id == fixed.template_id), None)
    return template.breaks if template is not None else ()


def build_options(problem: Problem) -> Options:
    problem.validate()
    rules, horizon = problem.rules, problem.horizon
    shapes: list[Shape] = []
    index: dict[Shape, int] = {}

    def shape_index(shape: Shape) -> int:
        if shape not in index:
            index[shape] = len(shapes)
            shapes.append(shape)
        return index[shape]

    def make_shape(day: int, start: int, end: int, template_id, breaks) -> Shape:
        unpaid = sum(b.length_minutes for b in breaks if not b.is_paid)
        weekend = horizon.weekday(day) in rules.weekend_days
        return Shape(
            day, start, end, template_id, breaks, end - start - unpaid,
            is_night(rules, start, end), weekend,
        )  # fmt: skip

    template_shapes: dict[int, list[int]] = {}
    for template in problem.templates:
        if template.paid_minutes > rules.max_minutes_per_day:
            continue
        template_shapes[template.id] = [
            shape_index(make_shape(day, start, start + template.length_minutes, template.id,
                                   template.breaks))
            for day in range(horizon.days)
            if horizon.weekday(day) in template.weekdays
            for start in (day * MINUTES_PER_DAY + s for s in sorted(set(template.start_minutes)))
        ]  # fmt: skip

    conflicts: list[Conflict] = []
    result = []
    for agent in problem.agents:
        options = AgentOptions(agent)
        for fixed in agent.fixed_shifts:
            day = fixed.start_minute // MINUTES_PER_DAY
            shape = make_shape(
                day, fixed.start_minute, fixed.end_minute, fixed.template_id,
                fixed_breaks(problem, fixed),
            )  # fmt: skip
            found = _fixed_conflicts(problem, agent, shape, options)
            conflicts += found
            if not found:
                options.fixed[day] = shape_index(shape)
                if fixed.queue_id is not None:
                    options.fixed_queue[options.fixed[day]] = fixed.queue_id
        templates = [
            t
            for t in problem.templates
            if t.id in template_shapes
            and (agent.template_ids is None or t.id in agent.template_ids)
        ]
        for template in templates:
            for i in template_shapes[template.id]:
                shape = shapes[i]
                if shape.day not in options.fixed and _allowed(problem, agent, template, shape):
                    options.by_day.setdefault(shape.day, []).append(i)
        for day, i in options.fixed.items():
            options.by_day[day] = [i]
        result.append(options)
    return Options(shapes, result, conflicts)


def _allowed(problem: Problem, agent: Agent, template: ShiftTemplate, shape: Shape) -> bool:
    weekday = problem.horizon.weekday(shape.day)
    if agent.availability is not None and not any(
        span.contains(shape.start, shape.end) for span in agent.availability
    ):
        return False
    if any(t.start_minute < shape.end and shape.start < t.end_minute for t in agent.time_off):
        return False
    if any(
        matches(m, template_id=template.id, day=shape.day, weekday=weekday) for m in agent.forbidden
    ):
        return False
    return not (
        agent.last_shift_end_minute is not None
        and shape.start < agent.last_shift_end_minute + problem.rules.min_rest_minutes
    )


def _fixed_conflicts(
    problem: Problem, agent: Agent, shape: Shape, options: AgentOptions
) -> list[Conflict]:
    """Rules a fixed shift breaks on its own (the model cannot relax a fixed shift)."""
    rules, horizon = problem.rules, problem.horizon
    where = {
        "agent_id": agent.id,
        "day": shape.day,
        "interval": max(0, shape.start) // horizon.interval_minutes,
        "intervals": -(-(shape.end - shape.start) // horizon.interval_minutes),
    }
    found = []
    if shape.day in options.fixed:
        found.append(
            Conflict(
                Rule.ONE_SHIFT_PER_DAY, f"{agent.name} has two fixed shifts on one day", **where
            )
        )
    if any(t.start_minute < shape.end and shape.start < t.end_minute for t in agent.time_off):
        found.append(
            Conflict(Rule.TIME_OFF, f"a fixed shift of {agent.name} is in time off", **where)
        )
    if shape.paid > rules.max_minutes_per_day:
        found.append(
            Conflict(
                Rule.MAX_MINUTES_PER_DAY,
                f"a fixed shift of {agent.name} is {shape.paid} paid minutes, "
                f"over the {rules.max_minutes_per_day} allowed per day",
                **where,
            )
        )
    if (
        agent.last_shift_end_minute is not None
        and shape.start < agent.last_shift_end_minute + rules.min_rest_minutes
    ):
        found.append(
            Conflict(
                Rule.MIN_REST,
                f"a fixed shift of {agent.name} starts less than "
                f"{rules.min_rest_minutes} minutes after their previous shift",
                **where,
            )
        )
    return found
