"""Say which rules cannot all be met, and where: never just "infeasible".

Three layers, cheapest first:
1. fixed shifts that break a rule on their own (in time off, too long, two on one day);
2. the rules that contradict each other: every hard rule concerns one agent, so each agent's
   own model is checked, and for an agent whose rules contradict each other the model is solved
   with a switch on every rule instance (rule × week, day or window) and the fewest
   switched-off instances are reported — a smallest set whose relaxation makes a roster possible;
3. when the rules can all be met: the intervals each queue stays short in the best roster, with
   how many agents could work then at all (skills, availability, time off).
"""

from __future__ import annotations

import dataclasses
import time
from collections import defaultdict
from datetime import datetime, timedelta

from ortools.sat.python import cp_model

from kefu.kit.i18n import N_
from kefu.kit.i18n import gettext as _
from kefu.workforce.scheduling.problem import MINUTES_PER_DAY, Conflict, Problem, Rule
from kefu.workforce.scheduling.solver_check import coverage_minutes, required_minutes
from kefu.workforce.scheduling.solver_model import build_agent_model
from kefu.workforce.scheduling.solver_options import build_options
from kefu.workforce.scheduling.solver_rules import weekly_limits

_DAY_RULES = (Rule.MIN_REST, Rule.MAX_CONSECUTIVE_DAYS)


def clock(minute: int) -> str:
    """'day 3 07:30' for a horizon minute (days counted from 1, as people do)."""
    day, rest = divmod(minute, MINUTES_PER_DAY)
    return f"day {day + 1} {rest // 60:02d}:{rest % 60:02d}"


def explain(
    problem: Problem, *, time_limit_seconds: float = 30.0, agents: list[int] | None = None
) -> list[Conflict]:
    """The rules that cannot be met and where; [] when every rule and requirement can be met.

    Every hard rule concerns one agent, so each agent is checked on their own and only an agent
    whose rules contradict each other gets the relaxed model. `agents` (indexes into
    problem.agents) skips the check for callers that already know who they are.
    """
    options = build_options(problem)
    if options.conflicts:
        return list(options.conflicts)
    deadline = time.monotonic() + time_limit_seconds
    found: list[Conflict] = []
    for a in range(len(options.agents)) if agents is None else agents:
        if agents is None:
            strict = build_agent_model(problem, options, a)
            if _run(strict.model, deadline) != cp_model.INFEASIBLE:
                continue
        found += _relaxed(problem, options, a, deadline)
    if found:
        return found
    from kefu.workforce.scheduling.solver import solve  # the solver imports this module

    return list(solve(problem, time_limit_seconds=time_limit_seconds).conflicts)


def _run(model: cp_model.CpModel, deadline: float, solver=None) -> int:
    solver = solver or cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(1.0, deadline - time.monotonic())
    solver.parameters.num_workers = 1
    return solver.solve(model)


def _relaxed(problem: Problem, options, a: int, deadline: float) -> list[Conflict]:
    """The fewest rule instances of agent a to switch off for a roster; their conflicts."""
    rm = build_agent_model(problem, options, a, relax=True)
    solver = cp_model.CpSolver()
    if _run(rm.model, deadline, solver) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        name = options.agents[a].agent.name
        return [
            Conflict(
                Rule.COVERAGE,
                f"{name}'s rules contradict each other; no explanation was found in time",
                agent_id=options.agents[a].agent.id,
            )
        ]
    size = problem.horizon.interval_minutes
    starts: dict[tuple[int, int], int] = {}
    for (_agent, s), var in rm.x.items():
        if solver.value(var):
            shape = options.shapes[s]
            starts[options.agents[a].agent.id, shape.day] = shape.start
    return [
        dataclasses.replace(c, interval=starts[c.agent_id, c.day] // size)
        if c.rule in _DAY_RULES and c.interval is None and (c.agent_id, c.day) in starts
        else c
        for keep, c in rm.relaxations
        if not solver.value(keep)
    ]


def shortfall_conflicts(problem: Problem, shifts) -> list[Conflict]:
    """One conflict per run of consecutive under-covered intervals of a queue."""
    size = problem.horizon.interval_minutes
    have, need = coverage_minutes(problem, shifts), required_minutes(problem)
    short = sorted(k for k, minutes in need.items() if have.get(k, 0) < minutes)
    runs: list[list[tuple[int, int]]] = []
    for queue, t in short:
        last = runs[-1][-1] if runs else None
        if last == (queue, t - 1) and t % problem.horizon.intervals_per_day:
            runs[-1].append((queue, t))
        else:
            runs.append([(queue, t)])
    names = {q.id: q.name for q in problem.queues}
    able = _able_agents(problem, {k for run in runs for k in run})
    found = []
    for run in runs:
        queue, first = run[0]
        worst = max(run, key=lambda k: need[k] - have.get(k, 0))
        gap = (need[worst] - have.get(worst, 0)) / size
        message = (
            f"{names[queue]} is short of up to {gap:g} agents from {clock(first * size)} "
            f"for {len(run) * size} minutes (needs {need[worst] / size:g}"
        )
        if able[worst] < need[worst] / size:
            message += f"; only {able[worst]} agents may work then at all)"
        else:
            message += "; the labour rules, contracts or other queues leave it short)"
        found.append(
            Conflict(
                Rule.COVERAGE,
                message,
                queue_id=queue,
                day=first * size // MINUTES_PER_DAY,
                interval=first,
                intervals=len(run),
            )
        )
    return found


def _able_agents(problem: Problem, wanted: set[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """How many agents have some allowed shift covering each wanted (queue, interval)."""
    if not wanted:
        return {}
    size = problem.horizon.interval_minutes
    options = build_options(problem)
    count: dict[tuple[int, int], int] = defaultdict(int)
    for agent_options in options.agents:
        reach: set[tuple[int, int]] = set()
        for shape_ids in agent_options.by_day.values():
            for s in shape_ids:
                shape = options.shapes[s]
                for t in range(shape.start // size, -(-shape.end // size)):
                    for queue in agent_options.agent.queue_ids:
                        if (queue, t) in wanted:
                            reach.add((queue, t))
        for key in reach:
            count[key] += 1
    return count


_TEXT = {
    Rule.COVERAGE: N_("%(queue)s is under-staffed from %(when)s for %(minutes)s minutes"),
    Rule.MAX_MINUTES_PER_DAY: N_(
        "%(agent)s: the shift on %(when)s is over the %(limit)s paid minutes allowed in a day"
    ),
    Rule.MAX_MINUTES_PER_WEEK: N_(
        "%(agent)s would work over %(limit)s paid minutes in week %(week)s"
    ),
    Rule.CONTRACT_MINUTES: N_(
        "%(agent)s cannot reach the contract's %(limit)s paid minutes in week %(week)s"
    ),
    Rule.MIN_REST: N_("%(agent)s would rest less than %(limit)s minutes before %(when)s"),
    Rule.MAX_CONSECUTIVE_DAYS: N_(
        "%(agent)s would work more than %(limit)s days in a row from %(when)s"
    ),
    Rule.MIN_DAYS_OFF: N_("%(agent)s would get fewer than %(limit)s days off in week %(week)s"),
    Rule.MAX_NIGHTS: N_("%(agent)s would work more than %(limit)s nights in week %(week)s"),
    Rule.MAX_WEEKENDS: N_("%(agent)s would work more than %(limit)s weekends"),
    Rule.ONE_SHIFT_PER_DAY: N_("%(agent)s has two fixed shifts on %(when)s"),
    Rule.TIME_OFF: N_("%(agent)s has a fixed shift in approved time off on %(when)s"),
    Rule.AVAILABILITY: N_("%(agent)s: the shift on %(when)s is outside their availability"),
    Rule.FORBIDDEN: N_("%(agent)s: the shift on %(when)s is one they may not work"),
    Rule.SKILL: N_("%(agent)s: the shift on %(when)s is on a queue they do not serve"),
    Rule.BREAKS: N_("%(agent)s: the breaks of the shift on %(when)s are outside their windows"),
}


def describe(problem: Problem, conflict: Conflict) -> str:
    """A conflict as a sentence in the current language, with names, local dates and limits."""
    rules, horizon = problem.rules, problem.horizon
    agent = next((a for a in problem.agents if a.id == conflict.agent_id), None)
    queue = next((q for q in problem.queues if q.id == conflict.queue_id), None)
    when = ""
    if conflict.day is not None or conflict.interval is not None:
        minute = (
            conflict.interval * horizon.interval_minutes
            if conflict.interval is not None
            else conflict.day * MINUTES_PER_DAY
        )
        moment = datetime.combine(horizon.start_date, datetime.min.time())
        moment += timedelta(minutes=minute)
        when = f"{moment:%Y-%m-%d %H:%M}" if conflict.interval is not None else f"{moment:%Y-%m-%d}"
    limit = {
        Rule.MAX_MINUTES_PER_DAY: rules.max_minutes_per_day,
        Rule.MAX_MINUTES_PER_WEEK: rules.max_minutes_per_week,
        Rule.MIN_REST: rules.min_rest_minutes,
        Rule.MAX_CONSECUTIVE_DAYS: rules.max_consecutive_days,
        Rule.MIN_DAYS_OFF: rules.min_days_off_per_week,
        Rule.MAX_NIGHTS: rules.max_nights_per_week,
        Rule.MAX_WEEKENDS: rules.max_weekends_worked,
    }.get(conflict.rule)
    if agent is not None and conflict.week is not None:
        cap, floor, _days = weekly_limits(problem, agent, conflict.week)
        limit = {Rule.CONTRACT_MINUTES: floor, Rule.MAX_MINUTES_PER_WEEK: cap}.get(
            conflict.rule, limit
        )
    return _(
        _TEXT[conflict.rule],
        agent=agent.name if agent else "",
        queue=queue.name if queue else "",
        when=when,
        week=(conflict.week or 0) + 1,
        limit=limit,
        minutes=conflict.intervals * horizon.interval_minutes,
    )
