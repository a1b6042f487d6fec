"""No roster the scheduler produces breaks a labour rule.

Seeded random two-week problems with every rule in play and more demand than the staff can
cover, so each rule is under pressure; each roster is checked by `solver_check.violations`,
which does not share code with the CP-SAT model. A second set of tests shows the checker does
catch each rule, so the first set cannot pass vacuously.
"""

import dataclasses

import pytest

from kefu.workforce.scheduling.problem import (
    BreakRule,
    LabourRules,
    PlacedBreak,
    Rule,
    ScheduledShift,
    ShiftMatch,
    SolveStatus,
    Span,
    TimeOff,
)
from kefu.workforce.scheduling.solver import solve
from kefu.workforce.scheduling.solver_check import violations
from tests.workforce.solver.factories import CHAT, DAY, EMAIL, agent, day_template, problem
from tests.workforce.solver.factories import random_problem as make_random_problem

SEEDS = (11, 12, 13)


@pytest.fixture(scope="module")
def rosters():
    found = []
    for seed in SEEDS:
        p = make_random_problem(seed)
        solution = solve(p, time_limit_seconds=3)
        assert solution.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE), solution.conflicts
        assert solution.shortfall_agent_hours > 0  # demand exceeds staff: the rules bind
        found.append((p, solution))
    return found


def broken(rosters, rule: Rule) -> list:
    return [c for p, s in rosters for c in violations(p, s.shifts) if c.rule == rule]


@pytest.mark.parametrize(
    "rule",
    [
        Rule.MAX_MINUTES_PER_DAY,
        Rule.MAX_MINUTES_PER_WEEK,
        Rule.CONTRACT_MINUTES,
        Rule.MIN_REST,
        Rule.MAX_CONSECUTIVE_DAYS,
        Rule.MIN_DAYS_OFF,
        Rule.MAX_NIGHTS,
        Rule.MAX_WEEKENDS,
        Rule.ONE_SHIFT_PER_DAY,
        Rule.TIME_OFF,
        Rule.AVAILABILITY,
        Rule.FORBIDDEN,
        Rule.SKILL,
        Rule.BREAKS,
    ],
)
def test_no_roster_breaks_the_rule(rosters, rule):
    assert broken(rosters, rule) == []


def test_fixed_shifts_are_kept_as_they_are(rosters):
    for p, solution in rosters:
        for member in p.agents:
            for fixed in member.fixed_shifts:
                kept = [s for s in solution.shifts if s.agent_id == member.id and s.is_fixed]
                assert [(s.start_minute, s.end_minute, s.queue_id) for s in kept] == [
                    (fixed.start_minute, fixed.end_minute, fixed.queue_id)
                ]


def test_nights_and_weekends_are_shared_out(rosters):
    for p, solution in rosters:
        nights = {a.id: 0 for a in p.agents}
        for s in solution.shifts:
            nights[s.agent_id] += s.start_minute % DAY >= 20 * 60
        assert max(nights.values()) <= 2  # one night a week each, over two weeks


# The checker catches each rule (a hand-made roster that breaks it).

TEMPLATE = day_template(starts=(8 * 60, 22 * 60), length=480)


def shift(agent_id: int, day: int, hour: int = 8, length: int = 480, queue: int = CHAT, **more):
    start = day * DAY + hour * 60
    return ScheduledShift(agent_id, day, start, start + length, queue, 1, **more)


CASES = {
    Rule.MAX_MINUTES_PER_DAY: ({"rules": LabourRules(max_minutes_per_day=420)}, {},
                               [shift(1, 0)]),
    Rule.MAX_MINUTES_PER_WEEK: ({"rules": LabourRules(max_minutes_per_week=900)}, {},
                                [shift(1, 0), shift(1, 1)]),
    Rule.CONTRACT_MINUTES: ({}, {"min_minutes_per_week": 960}, [shift(1, 0)]),
    Rule.MIN_REST: ({}, {}, [shift(1, 0, 22), shift(1, 1, 8)]),
    Rule.MAX_CONSECUTIVE_DAYS: ({"rules": LabourRules(max_consecutive_days=2)}, {},
                                [shift(1, d) for d in range(3)]),
    Rule.MIN_DAYS_OFF: ({"rules": LabourRules(min_days_off_per_week=2)}, {},
                        [shift(1, d) for d in range(6)]),
    Rule.MAX_NIGHTS: ({"rules": LabourRules(max_nights_per_week=1)}, {},
                      [shift(1, 0, 22), shift(1, 2, 22)]),
    Rule.MAX_WEEKENDS: ({"rules": LabourRules(max_weekends_worked=1), "days": 14}, {},
                        [shift(1, 5), shift(1, 12)]),
    Rule.ONE_SHIFT_PER_DAY: ({}, {}, [shift(1, 0, 8, 120), shift(1, 0, 12, 120)]),
    Rule.TIME_OFF: ({}, {"time_off": (TimeOff(0, DAY),)}, [shift(1, 0)]),
    Rule.AVAILABILITY: ({}, {"availability": (Span(DAY, 7 * DAY),)}, [shift(1, 0)]),
    Rule.FORBIDDEN: ({}, {"forbidden": (ShiftMatch(weekday=0),)}, [shift(1, 0)]),
    Rule.SKILL: ({}, {}, [shift(1, 0, queue=EMAIL)]),
    Rule.BREAKS: ({}, {}, [shift(1, 0, 9)]),
}  # fmt: skip


@pytest.mark.parametrize("rule", list(CASES))
def test_the_checker_catches_a_roster_that_breaks_the_rule(rule):
    # given a roster made by hand that breaks `rule`
    problem_fields, agent_fields, shifts = CASES[rule]
    p = problem(agents=[agent(1, **agent_fields)], templates=[TEMPLATE], **problem_fields)

    # when / then
    assert rule in {c.rule for c in violations(p, shifts)}


def test_a_break_outside_its_window_is_caught():
    template = dataclasses.replace(TEMPLATE, breaks=(BreakRule("lunch", 30, 180, 300, False),))
    p = problem(agents=[agent(1)], templates=[template])
    late = shift(1, 0, breaks=(PlacedBreak("lunch", 8 * 60 + 400, 30, False),))
    on_time = shift(1, 0, breaks=(PlacedBreak("lunch", 8 * 60 + 240, 30, False),))
    assert [c.rule for c in violations(p, [late])] == [Rule.BREAKS]
    assert violations(p, [on_time]) == []
