"""The CP-SAT model of a roster: shift options per agent-day, aggregated coverage, labour rules.

Per agent there is one boolean per feasible (day, template, start) option. Coverage is counted
on aggregates: how many agents of one skill group work a shape, how many of them serve each
queue, and how many take each break at each offset. Agents on one shape are interchangeable for
coverage, so the aggregate is exact, and the solver assigns queues and breaks to people after
solving (`solver_extract`). In `relax` mode every rule instance gets a literal that may switch it
off, and the objective counts switched-off instances: what `explain` reports.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model
from ortools.sat.python.cp_model import LinearExpr

from kefu.workforce.scheduling.coverage_slots import BREAK_GRID_MINUTES, slot_needs, spread
from kefu.workforce.scheduling.problem import MINUTES_PER_DAY, Conflict, Problem
from kefu.workforce.scheduling.solver_options import Options, matches
from kefu.workforce.scheduling.solver_rules import RuleBook


@dataclass
class RosterModel:
    problem: Problem
    options: Options
    relax: bool
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    x: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)  # (agent, shape)
    work: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)  # (agent, day)
    groups: dict[tuple[int, ...], list[int]] = field(default_factory=dict)  # queues → agents
    per_group: dict[tuple[int, tuple[int, ...], int], cp_model.IntVar] = field(
        default_factory=dict
    )  # (shape, group, queue) → agents of the group serving the queue on that shape
    per_queue: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    breaks: dict[tuple[int, int, int], list[tuple[int, cp_model.IntVar]]] = field(
        default_factory=dict
    )  # (shape, queue, break) → [(offset, agents taking it there)]
    required: dict[tuple[int, int], int] = field(default_factory=dict)  # minutes
    under: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    over: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    relaxations: list[tuple[cp_model.IntVar, Conflict]] = field(default_factory=list)
    weekends_worked: dict[tuple[int, tuple[int, int]], cp_model.IntVar] = field(
        default_factory=dict
    )  # (agent, ISO week) → works that weekend
    most_nights: cp_model.IntVar | None = None
    most_weekend_days: cp_model.IntVar | None = None

    def hard(self, constraint, describe: Callable[[], Conflict], enforce=()) -> None:
        """A rule instance: always enforced, or switchable (and reported) in relax mode."""
        literals = list(enforce)
        if self.relax:
            keep = self.model.new_bool_var("")
            literals.append(keep)
            self.relaxations.append((keep, describe()))
        if literals:
            constraint.only_enforce_if(literals)


def build_model(problem: Problem, options: Options, *, relax: bool = False) -> RosterModel:
    rm = RosterModel(problem, options, relax)
    _choices(rm)
    _coverage(rm)
    book = RuleBook(problem)
    for a, agent_options in enumerate(options.agents):
        book.add_agent_rules(rm, a, agent_options)
    if relax:
        keeps = [keep for keep, _ in rm.relaxations]
        rm.model.minimize(len(keeps) - LinearExpr.sum(keeps))
    else:
        _objective(rm, book)
    return rm


def build_agent_model(problem: Problem, options: Options, a: int, *, relax: bool = False):
    """One agent's choices and rules alone: every hard rule is about one agent, so the whole
    problem is feasible exactly when each agent's model is."""
    rm = RosterModel(problem, options, relax)
    agent_choices(rm, a)
    RuleBook(problem).add_agent_rules(rm, a, options.agents[a])
    if relax:
        keeps = [keep for keep, _ in rm.relaxations]
        rm.model.minimize(len(keeps) - LinearExpr.sum(keeps))
    return rm


def agent_choices(rm: RosterModel, a: int) -> None:
    agent_options, model = rm.options.agents[a], rm.model
    for day, shape_ids in agent_options.by_day.items():
        for s in shape_ids:
            rm.x[a, s] = model.new_bool_var(f"x{a}_{s}")
        rm.work[a, day] = model.new_bool_var(f"w{a}_{day}")
        model.add(rm.work[a, day] == LinearExpr.sum([rm.x[a, s] for s in shape_ids]))
    for s in agent_options.fixed.values():
        model.add(rm.x[a, s] == 1)


def _choices(rm: RosterModel) -> None:
    model, shapes = rm.model, rm.options.shapes
    for a, agent_options in enumerate(rm.options.agents):
        group = tuple(sorted(agent_options.agent.queue_ids))
        rm.groups.setdefault(group, []).append(a)
        agent_choices(rm, a)
    queue_terms: dict[tuple[int, int], list] = defaultdict(list)
    for group, members in rm.groups.items():
        on_shape: dict[int, list] = defaultdict(list)
        forced: dict[tuple[int, int], int] = defaultdict(int)
        for a in members:
            agent_options = rm.options.agents[a]
            for shape_ids in agent_options.by_day.values():
                for s in shape_ids:
                    on_shape[s].append(rm.x[a, s])
            for s, queue in agent_options.fixed_queue.items():
                forced[s, queue] += 1
        for s, xs in on_shape.items():
            if len(group) == 1:
                queue_terms[s, group[0]].append(LinearExpr.sum(xs))
                continue
            split = []
            for queue in group:
                var = model.new_int_var(forced[s, queue], len(xs), f"m{s}_{queue}")
                rm.per_group[s, group, queue] = var
                split.append(var)
                queue_terms[s, queue].append(var)
            model.add(LinearExpr.sum(split) == LinearExpr.sum(xs))
    for (s, queue), terms in queue_terms.items():
        var = model.new_int_var(0, len(rm.options.agents), f"n{s}_{queue}")
        model.add(var == LinearExpr.sum(terms))
        rm.per_queue[s, queue] = var
        for k, rule in enumerate(shapes[s].breaks):
            offsets = range(rule.earliest_offset_minutes, rule.latest_offset_minutes + 1,
                            BREAK_GRID_MINUTES)  # fmt: skip
            if len(offsets) == 1:
                rm.breaks[s, queue, k] = [(offsets[0], var)]
                continue
            takers = [(o, model.new_int_var(0, len(rm.options.agents), "")) for o in offsets]
            model.add(sum(v for _, v in takers) == var)
            rm.breaks[s, queue, k] = takers


def _coverage(rm: RosterModel) -> None:
    """Agent-minutes short and over per (queue, coverage slot): see `coverage_slots`."""
    horizon, model = rm.problem.horizon, rm.model
    terms: dict[tuple[int, int], dict] = defaultdict(lambda: defaultdict(int))

    def add(queue: int, start: int, end: int, var, sign: int) -> None:
        for slot, minutes in spread(horizon, start, end):
            terms[queue, slot][var] += sign * minutes

    for (s, queue), var in rm.per_queue.items():
        shape = rm.options.shapes[s]
        add(queue, shape.start, shape.end, var, 1)
        for k, rule in enumerate(shape.breaks):
            for offset, takers in rm.breaks[s, queue, k]:
                start = shape.start + offset
                add(queue, start, start + rule.length_minutes, takers, -1)
    rm.required = slot_needs(rm.problem)
    top = len(rm.options.agents) * horizon.interval_minutes
    for key in set(terms) | set(rm.required):
        need = rm.required.get(key, 0)
        found = {var: coef for var, coef in terms.get(key, {}).items() if coef}
        coverage = LinearExpr.weighted_sum(list(found), list(found.values()))
        rm.under[key] = model.new_int_var(0, need, f"u{key}")
        rm.over[key] = model.new_int_var(0, top, f"o{key}")
        model.add(coverage - need == rm.over[key] - rm.under[key])


def _objective(rm: RosterModel, book: RuleBook) -> None:
    weights, horizon = rm.problem.weights, rm.problem.horizon
    terms = [weights.under_coverage * v for v in rm.under.values()]
    terms += [weights.over_coverage * v for v in rm.over.values()]
    for (a, s), var in rm.x.items():
        agent, shape = rm.options.agents[a].agent, rm.options.shapes[s]
        weekday = horizon.weekday(shape.day)
        key = {"template_id": shape.template_id, "day": shape.day, "weekday": weekday}
        if any(matches(m, **key) for m in agent.preferred):
            terms.append(-weights.preference * var)
        if any(matches(m, **key) for m in agent.avoided):
            terms.append(weights.avoided * var)
    if book.nights:
        most = rm.most_nights = rm.model.new_int_var(0, horizon.days, "most_nights")
        for total in book.nights:
            rm.model.add(most >= total)
        terms.append(weights.fairness * most)
    if book.weekend_days:
        most = rm.most_weekend_days = rm.model.new_int_var(0, horizon.days, "most_weekend")
        for total in book.weekend_days:
            rm.model.add(most >= total)
        terms.append(weights.fairness * most)
    rm.model.minimize(LinearExpr.sum(terms))


def day_start(day: int) -> int:
    return day * MINUTES_PER_DAY
