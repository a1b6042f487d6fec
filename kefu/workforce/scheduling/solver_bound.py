"""A proven lower bound on the roster objective: the linear relaxation, certified exactly.

Every roster that keeps the hard rules maps to a point of a linear program (LP): agents with the
same options and rules form a group, with one variable per group and shift option counting how
many of them work it (0…n), the same aggregate counts of queues and breaks as the CP-SAT model
(`solver_model`) but fractional, and each labour rule as the sum of the members' rows — one
shift a day, weekly paid minutes between the contract and the cap, working days and nights per
week, windows of consecutive days, weekends worked (one variable per weekend ≥ each of its
days), and rest as "of a shift on day d ending at E or later and a shift on day e starting
before E + rest, at most one" for every end E. Fairness is "most nights ≥ the group's
average", and a group's reward for a preferred option is the best of its members'. So the LP's
optimum is at most the best roster's objective.

The LP is solved with HiGHS (scipy), in floating point, but the bound does not trust that
arithmetic: it takes the LP's dual values, rounds them to multiples of 2⁻²⁰, and computes the
Lagrangian bound Σ yᵢ·bᵢ + Σⱼ min(dⱼ·lⱼ, dⱼ·uⱼ) with dⱼ = cⱼ − (Aᵀy)ⱼ in exact integers. That
is a valid lower bound for *any* y (weak duality with finite variable bounds), so a slightly
wrong LP answer can only make the bound weaker, never wrong. The objective of a roster is an
integer, so the bound is rounded up. `shortfall=True` bounds the under-coverage alone (agent-
minutes no roster can avoid leaving short) with the same rows.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, vstack

from kefu.workforce.scheduling.coverage_slots import BREAK_GRID_MINUTES, slot_needs, spread
from kefu.workforce.scheduling.problem import MINUTES_PER_DAY, Problem
from kefu.workforce.scheduling.solver_options import Options, matches
from kefu.workforce.scheduling.solver_rules import week_days, weekend_of, weekly_limits

SCALE_BITS = 20  # dual values are rounded to multiples of 2**-SCALE_BITS
INF = float("inf")


@dataclass(frozen=True)
class Bound:
    value: int  # no roster's objective (or under-coverage minutes) is below this
    lp_value: float  # the LP optimum HiGHS reported (for information; not trusted)
    seconds: float
    variables: int
    rows: int


class _LP:
    """Rows lo ≤ a·x ≤ hi over bounded variables, with integer data."""

    def __init__(self) -> None:
        self.lower: list[int] = []
        self.upper: list[int] = []
        self.cost: list[int] = []
        self.row_cols: list[int] = []
        self.row_vals: list[int] = []
        self.row_ids: list[int] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def var(self, lower: int, upper: int, cost: int = 0) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        self.cost.append(cost)
        return len(self.cost) - 1

    def row(self, terms: dict[int, int] | list[tuple[int, int]], lo: float, hi: float) -> None:
        items = terms.items() if isinstance(terms, dict) else terms
        i = len(self.lo)
        for col, val in items:
            if val:
                self.row_ids.append(i)
                self.row_cols.append(col)
                self.row_vals.append(val)
        self.lo.append(lo)
        self.hi.append(hi)


def lower_bound(
    problem: Problem, options: Options, *, time_limit_seconds: float, shortfall: bool = False
) -> Bound | None:
    """A proven lower bound on the objective (or, with `shortfall`, on the under-coverage in
    agent-minutes); None when the LP is not solved within the time limit."""
    started = time.monotonic()
    lp, under = _relaxation(problem, options)
    if shortfall:
        lp.cost = [0] * len(lp.cost)
        for col in under:
            lp.cost[col] = 1
    result = _solve(lp, time_limit_seconds)
    if result is None:
        return None
    lp_value, y = result
    value = certify(lp, y)
    return Bound(value, lp_value, time.monotonic() - started, len(lp.cost), len(lp.lo))


def classes(problem: Problem, options: Options) -> list[list[int]]:
    """Agents whose rules and options are the same (preferences aside), in groups: the LP
    counts how many of a group work each option instead of one variable per agent."""
    found: dict[tuple, list[int]] = defaultdict(list)
    for a, agent_options in enumerate(options.agents):
        agent = agent_options.agent
        key = (
            tuple(sorted(agent.queue_ids)),
            tuple((d, tuple(ids)) for d, ids in sorted(agent_options.by_day.items())),
            tuple(weekly_limits(problem, agent, w) for w in range(problem.horizon.weeks)),
            min(agent.days_worked_before, problem.rules.max_consecutive_days),
            tuple(sorted(agent_options.fixed_queue.items())),
        )
        found[key].append(a)
    return list(found.values())


def _relaxation(problem: Problem, options: Options) -> tuple[_LP, list[int]]:
    lp = _LP()
    weights, horizon = problem.weights, problem.horizon
    shapes = options.shapes
    most_nights = lp.var(0, horizon.days, weights.fairness)
    most_weekend = lp.var(0, horizon.days, weights.fairness)
    on_shape: dict[tuple[tuple[int, ...], int], list[int]] = defaultdict(list)
    forced: dict[tuple[int, int], int] = defaultdict(int)
    for members in classes(problem, options):
        n, first = len(members), options.agents[members[0]]
        fixed = set(first.fixed.values())
        x: dict[int, int] = {}
        for day, shape_ids in first.by_day.items():
            for s in shape_ids:
                shape = shapes[s]
                key = {"template_id": shape.template_id, "day": day,
                       "weekday": horizon.weekday(day)}  # fmt: skip
                x[s] = lp.var(n if s in fixed else 0, n, min(
                    weights.avoided * any(matches(m, **key) for m in agent.avoided)
                    - weights.preference * any(matches(m, **key) for m in agent.preferred)
                    for agent in (options.agents[a].agent for a in members)
                ))  # fmt: skip
                on_shape[tuple(sorted(first.agent.queue_ids)), s].append(x[s])
        for s, queue in first.fixed_queue.items():
            forced[s, queue] += n
        _class_rows(lp, problem, options, members, x, (most_nights, most_weekend))
    per_queue: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for (group, s), xs in on_shape.items():
        if len(group) == 1:
            per_queue[s, group[0]] += [(col, 1) for col in xs]
            continue
        split = []
        for queue in group:
            var = lp.var(forced[s, queue], len(options.agents))
            split.append((var, 1))
            per_queue[s, queue].append((var, 1))
        lp.row(split + [(col, -1) for col in xs], 0, 0)
    return lp, _coverage_rows(lp, problem, options, per_queue)


def _coverage_rows(lp: _LP, problem: Problem, options: Options, per_queue) -> list[int]:
    horizon, weights = problem.horizon, problem.weights
    size = horizon.interval_minutes
    terms: dict[tuple[int, int], dict[int, int]] = defaultdict(lambda: defaultdict(int))
    total = len(options.agents)

    def add(queue: int, start: int, end: int, var: int, sign: int) -> None:
        for slot, minutes in spread(horizon, start, end):
            terms[queue, slot][var] += sign * minutes

    for (s, queue), parts in per_queue.items():
        shape = options.shapes[s]
        if len(parts) == 1:
            count = parts[0][0]
        else:
            count = lp.var(0, total)
            lp.row([*parts, (count, -1)], 0, 0)
        add(queue, shape.start, shape.end, count, 1)
        for rule in shape.breaks:
            offsets = range(rule.earliest_offset_minutes, rule.latest_offset_minutes + 1,
                            BREAK_GRID_MINUTES)  # fmt: skip
            takers = [count] if len(offsets) == 1 else [lp.var(0, total) for _ in offsets]
            if len(offsets) > 1:
                lp.row([*((v, 1) for v in takers), (count, -1)], 0, 0)
            for offset, var in zip(offsets, takers, strict=True):
                start = shape.start + offset
                add(queue, start, start + rule.length_minutes, var, -1)
    required = slot_needs(problem)
    under_vars = []
    for key in set(terms) | set(required):
        need = required.get(key, 0)
        under = lp.var(0, need, weights.under_coverage)
        over = lp.var(0, total * size, weights.over_coverage)
        under_vars.append(under)
        row = dict(terms.get(key, {}))
        row[over] = row.get(over, 0) - 1
        row[under] = row.get(under, 0) + 1
        lp.row(row, need, need)
    return under_vars


def _class_rows(lp: _LP, problem: Problem, options: Options, members, x, most) -> None:
    """The labour rules of one agent, summed over the `members` who share them."""
    rules, horizon = problem.rules, problem.horizon
    n, first = len(members), options.agents[members[0]]
    agent, by_day, shapes = first.agent, first.by_day, options.shapes
    if not by_day:
        return  # no shift to work (contract hours owed then make the problem infeasible)
    day_terms = {d: [(x[s], 1) for s in ids] for d, ids in by_day.items()}
    for terms in day_terms.values():
        lp.row(terms, -INF, n)
    nights_total, weekend_total = [], []
    for week in range(horizon.weeks):
        cap, floor, max_days = weekly_limits(problem, agent, week)
        paid, days, nights = [], [], []
        for day in week_days(problem, week):
            for s in by_day.get(day, ()):
                paid.append((x[s], shapes[s].paid))
                days.append((x[s], 1))
                if shapes[s].is_night:
                    nights.append((x[s], 1))
        lp.row(paid, n * floor if floor > 0 else -INF, n * cap)
        if len({d for d in week_days(problem, week) if d in by_day}) > max_days:
            lp.row(days, -INF, n * max_days)
        if rules.max_nights_per_week is not None and nights:
            lp.row(nights, -INF, n * rules.max_nights_per_week)
        nights_total += nights
    if nights_total:  # the most-loaded agent works at least the members' average
        lp.row([*nights_total, (most[0], -n)], -INF, 0)
    limit = rules.max_consecutive_days
    before = min(agent.days_worked_before, limit)
    for start in range(-before, horizon.days - limit):
        window = [t for d in range(max(start, 0), start + limit + 1) for t in day_terms.get(d, [])]
        allowed = limit - max(0, -start)
        if len({d for d in range(max(start, 0), start + limit + 1) if d in by_day}) > allowed:
            lp.row(window, -INF, n * allowed)
    weekends: dict[tuple[int, int], list[int]] = defaultdict(list)
    for day in by_day:
        if horizon.weekday(day) in rules.weekend_days:
            weekends[weekend_of(problem, day)].append(day)
            weekend_total += day_terms[day]
    if weekend_total:
        lp.row([*weekend_total, (most[1], -n)], -INF, 0)
    if rules.max_weekends_worked is not None and len(weekends) > rules.max_weekends_worked:
        worked = []
        for days in weekends.values():
            any_day = lp.var(0, n)
            worked.append((any_day, 1))
            for day in days:
                lp.row([*day_terms[day], (any_day, -1)], -INF, 0)
        lp.row(worked, -INF, n * rules.max_weekends_worked)
    _rest_rows(lp, problem, by_day, shapes, n, x)


def _rest_rows(lp: _LP, problem: Problem, by_day, shapes, n: int, x) -> None:
    """Of a shift on day d ending at E or later and one on day e starting before E + rest, at
    most one per agent (for each end E of a day-d option; one shift a day makes it valid)."""
    rest = max(0, problem.rules.min_rest_minutes)
    days = sorted(by_day)
    for d in days:
        ends = sorted({shapes[s].end for s in by_day[d]}, reverse=True)
        for e in days:
            if e <= d:
                continue
            if e * MINUTES_PER_DAY - ends[0] >= rest:
                break
            previous = None
            for end in ends:
                late = [s for s in by_day[d] if shapes[s].end >= end]
                early = [s for s in by_day[e] if shapes[s].start < end + rest]
                if not early or (len(late), len(early)) == previous:
                    continue
                previous = (len(late), len(early))
                lp.row([(x[s], 1) for s in late + early], -INF, n)


def _solve(lp: _LP, time_limit_seconds: float) -> tuple[float, np.ndarray] | None:
    """HiGHS on the LP; (its optimum, the dual value of every row) or None."""
    n, m = len(lp.cost), len(lp.lo)
    ids, cols, vals = np.array(lp.row_ids), np.array(lp.row_cols), np.array(lp.row_vals, float)
    matrix = csr_matrix((vals, (ids, cols)), shape=(m, n))
    lo, hi = np.array(lp.lo), np.array(lp.hi)
    eq = lo == hi
    up = ~eq & np.isfinite(hi)
    down = ~eq & np.isfinite(lo)
    a_ub = matrix[np.flatnonzero(up)]
    a_lb = matrix[np.flatnonzero(down)]
    result = linprog(
        np.array(lp.cost, float),
        A_ub=vstack([a_ub, -a_lb]).tocsr(),
        b_ub=np.concatenate([hi[up], -lo[down]]),
        A_eq=matrix[np.flatnonzero(eq)],
        b_eq=lo[eq],
        bounds=np.column_stack([lp.lower, lp.upper]),
        method="highs-ipm",
        options={"time_limit": max(1.0, time_limit_seconds), "presolve": True},
    )
    if result.status != 0:
        return None
    y = np.zeros(m)
    marg_ub = result.ineqlin.marginals
    y[np.flatnonzero(up)] += marg_ub[: int(up.sum())]
    y[np.flatnonzero(down)] -= marg_ub[int(up.sum()) :]
    y[np.flatnonzero(eq)] = result.eqlin.marginals
    return float(result.fun), y


def certify(lp: _LP, y: np.ndarray) -> int:
    """⌈Σᵢ yᵢ·(loᵢ or hiᵢ) + Σⱼ min(dⱼ·lⱼ, dⱼ·uⱼ)⌉ with y rounded to multiples of 2⁻ˢ and
    d = c − Aᵀy, in exact integers: a lower bound on c·x over the LP's rows and bounds for any
    y, so on every roster's objective."""
    scale = 1 << SCALE_BITS
    ys = [round(v * scale) for v in y.tolist()]
    total = 0
    for i, yi in enumerate(ys):  # a row bounds y·(a·x) from below only on its finite side
        if yi > 0 and lp.lo[i] != -INF:
            total += yi * int(lp.lo[i])
        elif yi < 0 and lp.hi[i] != INF:
            total += yi * int(lp.hi[i])
        else:
            ys[i] = 0
    d = [c * scale for c in lp.cost]
    for i, col, val in zip(lp.row_ids, lp.row_cols, lp.row_vals, strict=True):
        if ys[i]:
            d[col] -= ys[i] * val
    for dj, lower, upper in zip(d, lp.lower, lp.upper, strict=True):
        total += min(dj * lower, dj * upper)
    return -(-total // scale)  # the objective is an integer: round the bound up
