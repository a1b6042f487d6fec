"""A first roster, built agent by agent, handed to CP-SAT as a complete hint.

Every hard rule concerns one agent, so a roster that keeps each agent's rules is feasible. Each
agent in turn gets the shifts that cover most of what is still uncovered (a small CP-SAT model
of that agent's options and rules, solved in well under a second), with breaks put where the
remaining need is lowest. The full model then starts from this roster instead of searching for
a first one, which on a 200-agent month takes CP-SAT minutes on its own.
"""

from __future__ import annotations

import itertools
import time
from collections import defaultdict
from collections.abc import Callable

from ortools.sat.python import cp_model
from ortools.sat.python.cp_model import LinearExpr

from kefu.workforce.scheduling.coverage_slots import BREAK_GRID_MINUTES, slot_floor, slot_needs
from kefu.workforce.scheduling.problem import PlacedBreak, Problem, ScheduledShift
from kefu.workforce.scheduling.solver_check import required_minutes
from kefu.workforce.scheduling.solver_model import (
    RosterModel,
    build_agent_model,
)
from kefu.workforce.scheduling.solver_options import Options, is_night, matches

Pick = tuple[int, int, tuple[int, ...]]  # (shape, queue, break offsets)


def construct(
    problem: Problem, options: Options, *, deadline: float, on_pass: Callable | None = None
) -> tuple[dict[int, list[Pick]], list[int]]:
    """Each agent's shifts (agent index → picks), and the agents whose own rules cannot all be
    kept (then the problem is infeasible: `explain` says why).

    After the first pass, agents are re-planned one at a time against what the others leave
    uncovered, pass after pass until a pass leaves no less uncovered or the deadline; the best
    pass is kept, and `on_pass(picks)` is called with the first and every better one.
    """
    horizon = problem.horizon
    residual = {q.id: [0] * horizon.intervals for q in problem.queues}
    for (queue, t), minutes in required_minutes(problem).items():
        residual[queue][t] = minutes
    order = sorted(
        range(len(options.agents)),
        key=lambda a: (len(options.agents[a].agent.queue_ids), len(options.agents[a].by_day)),
    )
    planner = _Planner(problem, options, residual)
    infeasible = [a for a in order if not planner.plan(a, first=True)]
    if infeasible or on_pass is None:
        return planner.picks, infeasible
    best = {a: list(picks) for a, picks in planner.picks.items()}
    score = sum(max(0, r) for need in residual.values() for r in need)
    on_pass(best)
    while time.monotonic() < deadline:
        for a in order:
            if time.monotonic() >= deadline:
                break
            planner.plan(a, first=False)
        now = sum(max(0, r) for need in residual.values() for r in need)
        if now >= score:
            break
        best, score = {a: list(picks) for a, picks in planner.picks.items()}, now
        on_pass(best)
    return best, []


class _Planner:
    """Plans one agent at a time against the residual need (agent-minutes per queue and
    interval still uncovered), keeping each agent's small model between passes."""

    def __init__(self, problem: Problem, options: Options, residual) -> None:
        self.problem, self.options, self.residual = problem, options, residual
        self.picks: dict[int, list[Pick]] = {}
        self.models: dict[int, RosterModel] = {}

    def plan(self, a: int, *, first: bool) -> bool:
        """(Re)plan agent a; False when their rules cannot all be kept."""
        options, size = self.options, self.problem.horizon.interval_minutes
        agent_options = options.agents[a]
        if not agent_options.by_day:
            self.picks[a] = []
            return True
        before = self.picks.get(a, [])
        for s, queue, offsets in before:
            _take(options, s, offsets, self.residual[queue], size, sign=-1)
        if a not in self.models:
            self.models[a] = build_agent_model(self.problem, options, a)
        rm = self.models[a]
        best = self._objective(rm, a)
        rm.model.clear_hints()
        chosen = {s for s, _, _ in before}
        for (_, s), var in rm.x.items():
            rm.model.add_hint(var, s in chosen)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.cp_model_probing_level = 0
        solver.parameters.symmetry_level = 0
        solver.parameters.max_time_in_seconds = 1.0
        status = solver.solve(rm.model)
        if first and status == cp_model.UNKNOWN:  # a loaded machine: give it the time it needs
            solver.parameters.max_time_in_seconds = 30.0
            status = solver.solve(rm.model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            forced = agent_options.fixed_queue
            after = []
            for (_, s), var in rm.x.items():
                if solver.value(var):
                    queue = forced.get(s, best[s])
                    after.append((s, queue, _place_breaks(options, s, self.residual[queue], size)))
        elif first:
            return status != cp_model.INFEASIBLE
        else:
            after = before
        for s, queue, offsets in after:
            _take(options, s, offsets, self.residual[queue], size)
        self.picks[a] = after
        return True

    def _objective(self, rm: RosterModel, a: int) -> dict[int, int]:
        """Set the agent's objective (cover what is left); returns each shape's best queue."""
        problem, options = self.problem, self.options
        horizon, weights = problem.horizon, problem.weights
        size = horizon.interval_minutes
        agent = options.agents[a].agent
        gains = {}
        for queue in agent.queue_ids:
            per_interval = [
                weights.under_coverage * min(r, size)
                - weights.over_coverage * (size - min(r, size))
                for r in (max(0, r) for r in self.residual[queue])
            ]
            gains[queue] = [0, *itertools.accumulate(per_interval)]
        best: dict[int, int] = {}
        variables, values = [], []
        for (_, s), var in rm.x.items():
            shape = options.shapes[s]
            first, last = max(0, shape.start // size), min(horizon.intervals, -(-shape.end // size))
            queue = max(gains, key=lambda q: gains[q][last] - gains[q][first])
            best[s] = queue
            value = (gains[queue][last] - gains[queue][first]) // size
            key = {"template_id": shape.template_id, "day": shape.day,
                   "weekday": horizon.weekday(shape.day)}  # fmt: skip
            value += weights.preference * any(matches(m, **key) for m in agent.preferred)
            value -= weights.avoided * any(matches(m, **key) for m in agent.avoided)
            variables.append(var)
            values.append(value)
        rm.model.clear_objective()
        rm.model.maximize(LinearExpr.weighted_sum(variables, values))
        return best


def _place_breaks(options: Options, s: int, need: list[int], size: int) -> tuple[int, ...]:
    shape, offsets = options.shapes[s], []
    for rule in shape.breaks:
        window = range(rule.earliest_offset_minutes, rule.latest_offset_minutes + 1,
                       BREAK_GRID_MINUTES)  # fmt: skip
        offsets.append(
            min(window, key=lambda o: sum(
                need[t] for t in range((shape.start + o) // size,
                                       -(-(shape.start + o + rule.length_minutes) // size))
                if 0 <= t < len(need)
            ))
        )  # fmt: skip
    return tuple(offsets)


def _take(options: Options, s: int, offsets, need: list[int], size: int, sign: int = 1) -> None:
    """Take a shift's floor time off the need (sign −1 gives it back)."""
    shape = options.shapes[s]

    def add(start: int, end: int, sign: int) -> None:
        for t in range(max(0, start // size), min(len(need), -(-end // size))):
            need[t] -= sign * (min(end, (t + 1) * size) - max(start, t * size))

    add(shape.start, shape.end, sign)
    for rule, offset in zip(shape.breaks, offsets, strict=True):
        add(shape.start + offset, shape.start + offset + rule.length_minutes, -sign)


def shifts_of(options: Options, picks: dict[int, list[Pick]]) -> list[ScheduledShift]:
    shifts = []
    for a, chosen in picks.items():
        agent_options = options.agents[a]
        for s, queue, offsets in chosen:
            shape = options.shapes[s]
            shifts.append(
                ScheduledShift(
                    agent_id=agent_options.agent.id, day=shape.day, start_minute=shape.start,
                    end_minute=shape.end, queue_id=queue, template_id=shape.template_id,
                    breaks=tuple(
                        PlacedBreak(r.name, shape.start + o, r.length_minutes, r.is_paid)
                        for r, o in zip(shape.breaks, offsets, strict=True)
                    ),
                    is_fixed=s in agent_options.fixed.values(),
                )
            )  # fmt: skip
    return shifts


def add_hints(rm: RosterModel, picks: dict[int, list[Pick]]) -> None:
    """Hint every variable of the full model with the constructed roster."""
    model, options, problem = rm.model, rm.options, rm.problem
    chosen = {(a, s) for a, ps in picks.items() for s, _, _ in ps}
    for key, var in rm.x.items():
        model.add_hint(var, key in chosen)
    worked = {(a, options.shapes[s].day) for a, s in chosen}
    for key, var in rm.work.items():
        model.add_hint(var, key in worked)
    groups, queues, breaks = defaultdict(int), defaultdict(int), defaultdict(int)
    for a, ps in picks.items():
        group = tuple(sorted(options.agents[a].agent.queue_ids))
        for s, queue, offsets in ps:
            groups[s, group, queue] += 1
            queues[s, queue] += 1
            for k, offset in enumerate(offsets):
                breaks[s, queue, k, offset] += 1
    for key, var in rm.per_group.items():
        model.add_hint(var, groups[key])
    for key, var in rm.per_queue.items():
        model.add_hint(var, queues[key])
    for (s, queue, k), takers in rm.breaks.items():
        if len(takers) > 1:
            for offset, var in takers:
                model.add_hint(var, breaks[s, queue, k, offset])
    shifts = shifts_of(options, picks)
    have, need = slot_floor(problem.horizon, shifts), slot_needs(problem)
    for key, var in rm.under.items():
        model.add_hint(var, max(0, need.get(key, 0) - have.get(key, 0)))
    for key, var in rm.over.items():
        model.add_hint(var, max(0, have.get(key, 0) - need.get(key, 0)))
    _hint_fairness(rm, shifts, worked)


def _hint_fairness(rm: RosterModel, shifts: list[ScheduledShift], worked: set) -> None:
    from kefu.workforce.scheduling.solver_rules import weekend_of

    problem = rm.problem
    for (a, key), var in rm.weekends_worked.items():
        rm.model.add_hint(var, any((a, d) in worked and weekend_of(problem, d) == key
                                   for d in range(problem.horizon.days)))  # fmt: skip
    nights, weekend = defaultdict(int), defaultdict(int)
    for shift in shifts:
        nights[shift.agent_id] += is_night(problem.rules, shift.start_minute, shift.end_minute)
        weekend[shift.agent_id] += problem.horizon.weekday(shift.day) in problem.rules.weekend_days
    if rm.most_nights is not None:
        rm.model.add_hint(rm.most_nights, max(nights.values(), default=0))
    if rm.most_weekend_days is not None:
        rm.model.add_hint(rm.most_weekend_days, max(weekend.values(), default=0))
