"""The proven lower bound (the certified linear relaxation) never exceeds the true optimum.

Small problems are enumerated by brute force (tests/workforce/solver/test_brute_force.py: every
roster of every agent that keeps all of their rules, checked by `solver_check`, which shares no
code with the bound); the bound must be at most that optimum, for the LP's own dual values and
for any other ones, and the gap `solve` reports must rest on it.
"""

import itertools
import random
from datetime import date

import numpy as np
import pytest

from kefu.workforce.scheduling.problem import (
    BreakRule,
    LabourRules,
    ShiftMatch,
    ShiftTemplate,
    SolveStatus,
    TimeOff,
)
from kefu.workforce.scheduling.solver import solve
from kefu.workforce.scheduling.solver_bound import _relaxation, _solve, certify, lower_bound
from kefu.workforce.scheduling.solver_check import objective, under_over_minutes, violations
from kefu.workforce.scheduling.solver_options import build_options
from tests.workforce.solver.factories import (
    CHAT,
    DAY,
    EMAIL,
    agent,
    day_template,
    problem,
    random_problem,
)
from tests.workforce.solver.test_brute_force import agent_rosters, brute_force_optimum


def small_problem(seed: int):
    """Two days from a Saturday (a weekend in play), three agents — two of them alike but for
    their preferences —, a day template with a movable break and a night template."""
    rng = random.Random(seed)
    templates = [
        day_template(id=1, starts=(7 * 60, 11 * 60), length=420,
                     breaks=(BreakRule("break", 30, 120, 135, is_paid=rng.random() < 0.5),)),
        ShiftTemplate(2, "Night", (20 * 60,), 480),
    ]  # fmt: skip
    queues = [(CHAT,), (EMAIL,), (CHAT, EMAIL)]
    twins = rng.choice(queues[:2])
    members = [
        agent(1, queues=twins, preferred=(ShiftMatch(template_id=1),), min_minutes_per_week=360),
        agent(2, queues=twins, avoided=(ShiftMatch(weekday=6),), min_minutes_per_week=360),
        agent(3, queues=rng.choice(queues), max_minutes_per_week=rng.choice([None, 840]),
              days_worked_before=rng.choice([0, 1]),
              time_off=(TimeOff(DAY, 2 * DAY, 420),) if rng.random() < 0.3 else (),
              forbidden=(ShiftMatch(day=rng.randrange(2), template_id=2),)),
    ]  # fmt: skip
    needs = {
        (q, d * 24 + h): rng.choice([0, 1, 1, 2, 3])
        for q in (CHAT, EMAIL)
        for d in range(2)
        for h in (*range(7, 19), 21, 23, 25)
        if d * 24 + h < 48
    }
    rules = LabourRules(
        min_rest_minutes=rng.choice([600, 720, 900]),
        max_minutes_per_week=rng.choice([840, 1200]),
        max_consecutive_days=rng.choice([1, 2, 3]),
        min_days_off_per_week=0,
        max_nights_per_week=rng.choice([None, 1]),
        max_weekends_worked=rng.choice([None, 1]),
    )
    return problem(agents=members, templates=templates, needs=needs, days=2,
                   start_date=date(2026, 12, 12), rules=rules)  # fmt: skip


SEEDS = (1, 2, 4, 5, 6, 8, 12, 13)  # small enough to enumerate in a second or two each


@pytest.fixture(scope="module")
def cases():
    return {seed: (p, brute_force_optimum(p)) for seed in SEEDS for p in [small_problem(seed)]}


@pytest.mark.parametrize("seed", SEEDS)
def test_the_bound_never_exceeds_the_brute_force_optimum(cases, seed):
    p, optimum = cases[seed]
    bound = lower_bound(p, build_options(p), time_limit_seconds=30)
    assert bound is not None and bound.value <= optimum
    assert bound.value >= bound.lp_value - 1  # the certificate loses (almost) nothing


def test_the_bound_is_close_to_the_optimum_on_small_problems(cases):
    # not vacuous: the relaxation loses at most the twins' differing preferences (30 per shift)
    for p, optimum in cases.values():
        bound = lower_bound(p, build_options(p), time_limit_seconds=30).value
        assert optimum - bound <= 30 * 2 * p.horizon.days


@pytest.mark.parametrize("seed", SEEDS[:4])
def test_any_dual_values_give_a_sound_bound_only_the_lp_s_give_the_best(cases, seed):
    # given the relaxation and its LP duals
    p, optimum = cases[seed]
    lp, _ = _relaxation(p, build_options(p))
    _, duals = _solve(lp, 30)
    best = certify(lp, duals)
    rng = np.random.default_rng(seed)

    # when the duals are wrong (noisy, random, zero, huge), the certified bound only weakens
    for wrong in (
        duals + rng.normal(0, 50, len(duals)),
        rng.normal(0, 1000, len(duals)),
        np.zeros(len(duals)),
        duals * 3,
    ):
        assert certify(lp, wrong) <= optimum
        assert certify(lp, wrong) <= best


@pytest.mark.parametrize("seed", SEEDS[:4])
def test_solve_reports_a_gap_that_rests_on_a_sound_bound(cases, seed):
    p, optimum = cases[seed]
    updates = []
    solution = solve(p, time_limit_seconds=20, progress=updates.append)
    assert solution.best_bound is not None and solution.best_bound <= optimum + 1e-6
    assert solution.objective >= optimum
    assert solution.bound_seconds is not None and solution.bound_seconds <= solution.wall_seconds
    for update in updates:
        assert update.best_bound <= optimum + 1e-6
    if solution.status == SolveStatus.OPTIMAL:
        assert solution.gap == 0


def test_with_no_agents_the_bound_is_the_whole_requirement():
    p = problem(agents=[], templates=[day_template()], needs={(CHAT, 9): 2, (EMAIL, 10): 1})
    bound = lower_bound(p, build_options(p), time_limit_seconds=10)
    assert bound.value == 1000 * 3 * 60  # three agent-hours short, 1000 per agent-minute


@pytest.mark.parametrize("seed", [11, 12])
def test_with_fixed_shifts_and_every_rule_the_bound_stays_below_the_roster(seed):
    # two weeks, six agents, a fixed shift, every rule in play (too big to enumerate): a proven
    # bound is below every roster that keeps the rules, the solver's included
    p = random_problem(seed)
    bound = lower_bound(p, build_options(p), time_limit_seconds=60)
    solution = solve(p, time_limit_seconds=5)
    assert violations(p, solution.shifts) == []
    assert bound is not None and bound.value <= objective(p, solution.shifts)
    assert solution.best_bound >= bound.value  # solve keeps the best bound it proved


@pytest.mark.parametrize("seed", SEEDS[:3])
def test_the_shortfall_bound_never_exceeds_the_least_shortfall_of_any_roster(seed):
    # given every roster that keeps the rules, enumerated
    p = small_problem(seed)
    per_agent = [list(agent_rosters(p, member)) for member in p.agents]
    least = min(
        under_over_minutes(p, [s for roster in combo for s in roster])[0]
        for combo in itertools.product(*per_agent)
    )

    # when the relaxation bounds the under-coverage alone
    bound = lower_bound(p, build_options(p), time_limit_seconds=30, shortfall=True)

    # then no roster is short by fewer agent-minutes, and the bound is not vacuous
    assert bound is not None and 0 < bound.value <= least
