"""What `solve` hands back: progress, coverage, breaks placed to keep coverage; the clock."""

from datetime import UTC, date, datetime

import pytest

from kefu.workforce.scheduling.problem import (
    BreakRule,
    Horizon,
    LabourRules,
    Requirement,
    SolveStatus,
    weekly_spans,
)
from kefu.workforce.scheduling.solver import solve
from kefu.workforce.scheduling.solver_check import coverage, objective
from tests.workforce.solver.factories import CHAT, EMAIL, agent, day_template, problem


def test_progress_reports_the_planned_rosters_first_then_cp_sat_with_bounds():
    # given
    p = problem(
        agents=[agent(i, queues=(CHAT, EMAIL)) for i in range(3)],
        templates=[day_template(starts=(8 * 60, 10 * 60, 12 * 60))],
        needs={(CHAT, 24 * d + h): 2 for d in range(7) for h in range(9, 19)},
        interval_minutes=60,
    )
    updates = []

    # when
    solution = solve(p, time_limit_seconds=10, progress=updates.append)

    # then
    trivial = updates[0].best_bound  # planning agent by agent: no bound yet
    assert trivial == 0 and updates[0].gap == 1.0 and updates[0].solutions == 1
    assert solution.best_bound is not None and solution.best_bound > trivial  # CP-SAT's
    assert [u.solutions for u in updates] == list(range(1, len(updates) + 1))
    assert {u.first_solution_seconds for u in updates} == {solution.first_solution_seconds}
    assert updates[-1].objective == solution.objective == objective(p, solution.shifts)
    assert solution.coverage == coverage(p, solution.shifts)


def test_breaks_are_staggered_so_the_queue_stays_covered():
    # given two agents on the same shift, one agent wanted all day, a 30-minute lunch each
    lunch = BreakRule("lunch", 30, 180, 240, is_paid=False)
    p = problem(
        agents=[agent(1), agent(2)],
        templates=[day_template(starts=(9 * 60,), length=480, breaks=(lunch,))],
        needs={(CHAT, 18 + i): 1 for i in range(16)},  # 09:00–17:00 in 30-minute intervals
        days=1,
        interval_minutes=30,
        rules=LabourRules(min_days_off_per_week=0),
    )

    # when
    solution = solve(p, time_limit_seconds=10)

    # then: both work, lunches do not overlap, nothing is short
    assert solution.status == SolveStatus.OPTIMAL
    lunches = sorted(s.breaks[0].start_minute for s in solution.shifts)
    assert len(lunches) == 2 and lunches[1] - lunches[0] >= 30
    assert solution.shortfall_agent_hours == 0


def test_a_malformed_problem_is_refused_with_the_reason():
    p = problem(agents=[agent(1)], templates=[day_template()])
    bad = type(p)(p.horizon, p.queues, (Requirement(99, 0, 1),), p.templates, p.agents)
    with pytest.raises(ValueError, match="unknown queue 99"):
        solve(bad, time_limit_seconds=1)


def test_the_horizon_counts_local_wall_clock_minutes():
    shanghai = Horizon(date(2026, 12, 7), 7, 15, "Asia/Shanghai")
    assert shanghai.at(0) == datetime(2026, 12, 6, 16, 0, tzinfo=UTC)
    assert shanghai.minute_of(datetime(2026, 12, 7, 1, 30, tzinfo=UTC)) == 9 * 60 + 30
    assert shanghai.interval_of(datetime(2026, 12, 7, 1, 30, tzinfo=UTC)) == 38
    assert (shanghai.intervals, shanghai.weeks, shanghai.weekday(6)) == (672, 1, 6)
    # a daylight-saving change: Sunday 29 March 2026 in Berlin has no 02:00–03:00
    berlin = Horizon(date(2026, 3, 29), 1, 30, "Europe/Berlin")
    assert berlin.at(60) == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    assert berlin.at(3 * 60) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)


def test_weekly_availability_becomes_spans_on_the_horizon():
    horizon = Horizon(date(2026, 12, 7), 14, 30)  # a Monday
    spans = weekly_spans(horizon, [(0, 9 * 60, 17 * 60), (4, 20 * 60, 26 * 60)])
    assert [(s.start_minute, s.end_minute) for s in spans] == [
        (9 * 60, 17 * 60),
        (4 * 1440 + 20 * 60, 4 * 1440 + 26 * 60),
        (7 * 1440 + 9 * 60, 7 * 1440 + 17 * 60),
        (11 * 1440 + 20 * 60, 11 * 1440 + 26 * 60),
    ]


def test_no_agents_leaves_the_whole_requirement_short():
    p = problem(agents=[], templates=[day_template()], needs={(CHAT, 9): 2, (EMAIL, 10): 1})
    solution = solve(p, time_limit_seconds=5)
    assert solution.status == SolveStatus.OPTIMAL
    assert (solution.shifts, solution.shortfall_agent_hours) == ((), 3.0)
    assert [(c.queue_id, c.interval) for c in solution.conflicts] == [(CHAT, 9), (EMAIL, 10)]
