"""Check a roster against a problem without the solver: coverage, objective and broken rules.

Independent of the CP-SAT model on purpose: the tests hold the solver's rosters against it, and
the roster pages use it to show coverage and warnings after a manager edits shifts by hand.
"""

from __future__ import annotations

from collections import defaultdict

from kefu.workforce.scheduling.coverage_slots import slot_floor, slot_minutes, slot_needs
from kefu.workforce.scheduling.problem import (
    MINUTES_PER_DAY,
    Conflict,
    Coverage,
    Problem,
    Rule,
    ScheduledShift,
)
from kefu.workforce.scheduling.solver_options import is_night, matches
from kefu.workforce.scheduling.solver_rules import week_days, weekend_of, weekly_limits


def coverage_minutes(problem: Problem, shifts) -> dict[tuple[int, int], int]:
    """Agent-minutes on the floor per (queue, interval): shift time less its breaks."""
    per = problem.horizon.interval_minutes // slot_minutes(problem.horizon)
    found: dict[tuple[int, int], int] = defaultdict(int)
    for (queue, slot), minutes in slot_floor(problem.horizon, shifts).items():
        found[queue, slot // per] += minutes
    return found


def required_minutes(problem: Problem) -> dict[tuple[int, int], int]:
    size = problem.horizon.interval_minutes
    found: dict[tuple[int, int], int] = defaultdict(int)
    for req in problem.requirements:
        found[req.queue_id, req.interval] += round(req.agents * size)
    return found


def coverage(problem: Problem, shifts) -> tuple[Coverage, ...]:
    """Required and scheduled agents for every (queue, interval) with either."""
    size = problem.horizon.interval_minutes
    have, need = coverage_minutes(problem, shifts), required_minutes(problem)
    return tuple(
        Coverage(queue, t, need.get((queue, t), 0) / size, have.get((queue, t), 0) / size)
        for queue, t in sorted(set(have) | set(need))
    )


def under_over_minutes(problem: Problem, shifts) -> tuple[int, int]:
    """Agent-minutes short and over, counted per coverage slot (`coverage_slots`)."""
    have, need = slot_floor(problem.horizon, shifts), slot_needs(problem)
    keys = set(have) | set(need)
    under = sum(max(0, need.get(k, 0) - have.get(k, 0)) for k in keys)
    over = sum(max(0, have.get(k, 0) - need.get(k, 0)) for k in keys)
    return under, over


def objective(problem: Problem, shifts) -> int:
    """The scheduler's objective for a roster (see ObjectiveWeights)."""
    weights, horizon = problem.weights, problem.horizon
    under, over = under_over_minutes(problem, shifts)
    total = weights.under_coverage * under + weights.over_coverage * over
    agents = {agent.id: agent for agent in problem.agents}
    nights: dict[int, int] = defaultdict(int)
    weekend_days: dict[int, int] = defaultdict(int)
    for shift in shifts:
        agent = agents[shift.agent_id]
        key = {
            "template_id": shift.template_id,
            "day": shift.day,
            "weekday": horizon.weekday(shift.day),
        }
        if any(matches(m, **key) for m in agent.preferred):
            total -= weights.preference
        if any(matches(m, **key) for m in agent.avoided):
            total += weights.avoided
        nights[agent.id] += is_night(problem.rules, shift.start_minute, shift.end_minute)
        weekend_days[agent.id] += horizon.weekday(shift.day) in problem.rules.weekend_days
    total += weights.fairness * (max(nights.values(), default=0))
    total += weights.fairness * (max(weekend_days.values(), default=0))
    return total


def violations(problem: Problem, shifts) -> list[Conflict]:
    """Every hard rule the roster breaks (coverage is not a hard rule and is not listed)."""
    by_agent: dict[int, list[ScheduledShift]] = defaultdict(list)
    for shift in shifts:
        by_agent[shift.agent_id].append(shift)
    found: list[Conflict] = []
    for agent in problem.agents:
        found += _agent_violations(
            problem, agent, sorted(by_agent.pop(agent.id, []), key=lambda s: s.start_minute)
        )
    for agent_id in by_agent:
        found.append(Conflict(Rule.SKILL, f"agent {agent_id} is not in the problem", agent_id))
    return found


def _agent_violations(problem: Problem, agent, shifts: list[ScheduledShift]) -> list[Conflict]:
    rules, horizon = problem.rules, problem.horizon
    found: list[Conflict] = []

    def broke(rule: Rule, message: str, shift: ScheduledShift | None = None, **where) -> None:
        if shift is not None:
            where.setdefault("day", shift.day)
            where["interval"] = shift.start_minute // horizon.interval_minutes
        found.append(Conflict(rule, f"{agent.name}: {message}", agent_id=agent.id, **where))

    days: dict[int, ScheduledShift] = {}
    previous_end = agent.last_shift_end_minute
    for shift in shifts:
        if shift.day != shift.start_minute // MINUTES_PER_DAY:
            broke(Rule.ONE_SHIFT_PER_DAY, "a shift's day is not the day it starts", shift)
        if shift.day in days:
            broke(Rule.ONE_SHIFT_PER_DAY, "two shifts on one day", shift)
        days[shift.day] = shift
        if previous_end is not None and shift.start_minute - previous_end < max(
            0, rules.min_rest_minutes
        ):
            broke(Rule.MIN_REST, "too little rest before this shift", shift)
        previous_end = shift.end_minute
        if shift.paid_minutes > rules.max_minutes_per_day:
            broke(Rule.MAX_MINUTES_PER_DAY, "too many paid minutes in a day", shift)
        if shift.queue_id not in agent.queue_ids:
            broke(Rule.SKILL, "a queue they do not serve", shift)
        if any(t.start_minute < shift.end_minute and shift.start_minute < t.end_minute
               for t in agent.time_off):  # fmt: skip
            broke(Rule.TIME_OFF, "a shift during approved time off", shift)
        _shape_violations(problem, agent, shift, broke)
    for week in range(horizon.weeks):
        cap, floor, max_days = weekly_limits(problem, agent, week)
        mine = [s for s in shifts if s.day in week_days(problem, week)]
        paid = sum(s.paid_minutes for s in mine)
        where = {"week": week, "day": 7 * week}
        if paid > cap:
            broke(Rule.MAX_MINUTES_PER_WEEK, f"{paid} paid minutes in a week", **where)
        if paid < floor:
            broke(Rule.CONTRACT_MINUTES, f"{paid} paid minutes, contract {floor}", **where)
        if len(mine) > max_days:
            broke(Rule.MIN_DAYS_OFF, f"{len(mine)} working days in a week", **where)
        nights = sum(is_night(rules, s.start_minute, s.end_minute) for s in mine)
        if rules.max_nights_per_week is not None and nights > rules.max_nights_per_week:
            broke(Rule.MAX_NIGHTS, f"{nights} nights in a week", **where)
    run = agent.days_worked_before
    for day in range(horizon.days):
        run = run + 1 if day in days else 0
        if run > rules.max_consecutive_days:
            broke(Rule.MAX_CONSECUTIVE_DAYS, f"{run} days in a row", day=day)
    weekends = {weekend_of(problem, d) for d in days if horizon.weekday(d) in rules.weekend_days}
    if rules.max_weekends_worked is not None and len(weekends) > rules.max_weekends_worked:
        broke(Rule.MAX_WEEKENDS, f"{len(weekends)} weekends worked")
    return found


def _shape_violations(problem: Problem, agent, shift: ScheduledShift, broke) -> None:
    """Availability, bans, templates and breaks: what a fixed shift may override."""
    template = next((t for t in problem.templates if t.id == shift.template_id), None)
    if template is not None and shift.breaks and len(shift.breaks) == len(template.breaks):
        for rule, placed in zip(template.breaks, shift.breaks, strict=True):
            offset = placed.start_minute - shift.start_minute
            if not (
                rule.earliest_offset_minutes <= offset <= rule.latest_offset_minutes
                and placed.length_minutes == rule.length_minutes
            ):
                broke(Rule.BREAKS, f"{rule.name} outside its window", shift)
    elif template is not None and len(shift.breaks) != len(template.breaks) and not shift.is_fixed:
        broke(Rule.BREAKS, "breaks do not match the template", shift)
    if shift.is_fixed:
        return
    if template is None or shift.end_minute - shift.start_minute != template.length_minutes:
        broke(Rule.BREAKS, "not a shift of a template", shift)
    elif shift.start_minute % MINUTES_PER_DAY not in template.start_minutes or (
        problem.horizon.weekday(shift.day) not in template.weekdays
    ):
        broke(Rule.BREAKS, "a start the template does not allow", shift)
    if agent.template_ids is not None and shift.template_id not in agent.template_ids:
        broke(Rule.FORBIDDEN, "a template they may not work", shift)
    if agent.availability is not None and not any(
        span.contains(shift.start_minute, shift.end_minute) for span in agent.availability
    ):
        broke(Rule.AVAILABILITY, "a shift outside their availability", shift)
    key = {
        "template_id": shift.template_id,
        "day": shift.day,
        "weekday": problem.horizon.weekday(shift.day),
    }
    if any(matches(m, **key) for m in agent.forbidden):
        broke(Rule.FORBIDDEN, "a shift they may not work", shift)
