"""On problems small enough to enumerate, CP-SAT's optimum is the true optimum."""

import itertools
import random
from datetime import date

import pytest

from kefu.workforce.scheduling.problem import (
    BreakRule,
    LabourRules,
    PlacedBreak,
    ScheduledShift,
    ShiftMatch,
    SolveStatus,
)
from kefu.workforce.scheduling.solver import solve
from kefu.workforce.scheduling.solver_check import objective, violations
from tests.workforce.solver.factories import CHAT, DAY, EMAIL, agent, day_template, problem


def agent_rosters(p, member):
    """Every roster of one agent that keeps all of their rules (off, or any template, start,
    queue and break placement on each day)."""
    per_day = []
    for day in range(p.horizon.days):
        choices = [None]
        for template in p.templates:
            for start in template.start_minutes:
                begin = day * DAY + start
                windows = [
                    range(b.earliest_offset_minutes, b.latest_offset_minutes + 1, 15)
                    for b in template.breaks
                ]
                for queue in member.queue_ids:
                    for offsets in itertools.product(*windows):
                        breaks = tuple(
                            PlacedBreak(b.name, begin + o, b.length_minutes, b.is_paid)
                            for b, o in zip(template.breaks, offsets, strict=True)
                        )
                        choices.append(
                            ScheduledShift(member.id, day, begin, begin + template.length_minutes,
                                           queue, template.id, breaks)
                        )  # fmt: skip
        per_day.append(choices)
    for combo in itertools.product(*per_day):
        shifts = [s for s in combo if s is not None]
        if not violations(problem_for(p, member), shifts):
            yield shifts


def problem_for(p, member):
    return type(p)(p.horizon, p.queues, p.requirements, p.templates, (member,), p.rules, p.weights)


def brute_force_optimum(p) -> int:
    per_agent = [list(agent_rosters(p, member)) for member in p.agents]
    return min(
        objective(p, [s for roster in combo for s in roster])
        for combo in itertools.product(*per_agent)
    )


def random_needs(rng, days, queues):
    return {(q, d * 24 + h): rng.choice([0, 1, 1, 2]) for q in queues
            for d in range(days) for h in range(7, 20)}  # fmt: skip


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_one_queue_with_breaks_rest_and_weekly_limits(seed):
    # given three days (Friday to Sunday), two agents, two starts, a break with three places
    rng = random.Random(seed)
    template = day_template(
        starts=(8 * 60, 12 * 60), length=360, breaks=(BreakRule("break", 30, 120, 150),)
    )
    p = problem(
        agents=[
            agent(1, preferred=(ShiftMatch(day=0),)),
            agent(2, avoided=(ShiftMatch(weekday=6),), min_minutes_per_week=360),
        ],
        templates=[template],
        needs=random_needs(rng, 3, [CHAT]),
        days=3,
        start_date=date(2026, 12, 11),
        rules=LabourRules(min_rest_minutes=17 * 60, max_minutes_per_week=720,
                          max_consecutive_days=2, min_days_off_per_week=0),
    )  # fmt: skip

    # when
    solution = solve(p, time_limit_seconds=30)

    # then
    assert solution.status == SolveStatus.OPTIMAL
    assert violations(p, solution.shifts) == []
    assert objective(p, solution.shifts) == solution.objective == brute_force_optimum(p)


@pytest.mark.parametrize("seed", [4, 5])
def test_two_queues_a_shared_agent_and_a_night(seed):
    # given a chat agent, an email agent and one who can do both; a night template
    rng = random.Random(seed)
    p = problem(
        agents=[agent(1), agent(2, queues=(EMAIL,)), agent(3, queues=(CHAT, EMAIL))],
        templates=[day_template(id=1, starts=(9 * 60, 11 * 60), length=420),
                   day_template(id=2, starts=(20 * 60,), length=480)],
        needs=random_needs(rng, 2, [CHAT, EMAIL]) | {(CHAT, 22): 1, (CHAT, 26): 1},
        days=2,
        rules=LabourRules(min_rest_minutes=600, max_nights_per_week=1, min_days_off_per_week=0),
    )  # fmt: skip

    # when
    solution = solve(p, time_limit_seconds=30)

    # then
    assert solution.status == SolveStatus.OPTIMAL
    assert violations(p, solution.shifts) == []
    assert objective(p, solution.shifts) == solution.objective == brute_force_optimum(p)
