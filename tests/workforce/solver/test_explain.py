"""Over-constrained problems: the scheduler names the rule and where, never just "infeasible"."""

from kefu.workforce.scheduling.explain import describe
from kefu.workforce.scheduling.problem import (
    Conflict,
    FixedShift,
    LabourRules,
    Rule,
    SolveStatus,
    TimeOff,
)
from kefu.workforce.scheduling.solver import explain, solve
from tests.workforce.solver.factories import CHAT, DAY, agent, day_template, problem

TEMPLATE = day_template(starts=(8 * 60,), length=480)


def where(conflict: Conflict) -> tuple:
    return conflict.rule, conflict.agent_id, conflict.queue_id, conflict.day, conflict.interval


def test_too_little_rest_between_two_fixed_shifts_names_the_rule_agent_and_interval():
    # given a manager fixed a late shift on Monday and an early one on Tuesday (8 h apart)
    late = FixedShift(14 * 60, 22 * 60, queue_id=CHAT)
    early = FixedShift(DAY + 6 * 60, DAY + 14 * 60, queue_id=CHAT)
    p = problem(
        agents=[agent(1, fixed_shifts=(late, early)), agent(2)],
        templates=[TEMPLATE],
        rules=LabourRules(min_rest_minutes=660),
    )

    # when
    conflicts = explain(p)
    solution = solve(p, time_limit_seconds=10)

    # then: Tuesday (day 1) 06:00 is interval 24 + 6 = 30 of the hourly grid
    assert [where(c) for c in conflicts] == [(Rule.MIN_REST, 1, None, 1, 30)]
    assert "rest less than 660 minutes" in conflicts[0].message
    assert solution.status == SolveStatus.INFEASIBLE
    assert solution.shifts == ()
    assert list(solution.conflicts) == conflicts


def test_a_contract_that_time_off_leaves_no_room_for_names_the_week():
    # given a 40-hour contract, five days a week at most, and three unpaid days off in week 2
    off = TimeOff(7 * DAY, 10 * DAY, credited_minutes=0)
    p = problem(
        agents=[agent(1, min_minutes_per_week=2400, time_off=(off,))],
        templates=[TEMPLATE],
        days=14,
        rules=LabourRules(min_days_off_per_week=2),
    )

    # when
    conflicts = explain(p)

    # then
    assert [(c.rule, c.agent_id, c.week) for c in conflicts] == [(Rule.CONTRACT_MINUTES, 1, 1)]
    assert "2400 paid minutes in week 2" in conflicts[0].message


def test_paid_leave_counts_towards_the_contract():
    # given the same three days off, credited as 8 hours each
    off = TimeOff(7 * DAY, 10 * DAY, credited_minutes=3 * 480)
    p = problem(
        agents=[agent(1, min_minutes_per_week=2400, time_off=(off,))],
        templates=[TEMPLATE],
        days=14,
        rules=LabourRules(min_days_off_per_week=2),
    )

    # when
    solution = solve(p, time_limit_seconds=10)

    # then
    assert solution.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert explain(p) == []


def test_fixed_shifts_on_too_many_days_in_a_row_name_the_rule_and_day():
    # given seven fixed days in a row and at most five allowed
    fixed = tuple(FixedShift(d * DAY + 8 * 60, d * DAY + 16 * 60) for d in range(7))
    p = problem(
        agents=[agent(1, fixed_shifts=fixed)],
        templates=[TEMPLATE],
        rules=LabourRules(
            max_consecutive_days=5, min_days_off_per_week=0, max_minutes_per_week=4000
        ),
    )

    # when
    conflicts = explain(p)

    # then: two windows of six days are too long; the first starts on day 0
    assert {c.rule for c in conflicts} == {Rule.MAX_CONSECUTIVE_DAYS}
    assert [(c.agent_id, c.day) for c in conflicts] == [(1, 0), (1, 1)]
    assert conflicts[0].interval == 8  # that day's shift starts at 08:00


def test_a_fixed_shift_in_time_off_is_named_before_solving():
    # given
    p = problem(
        agents=[agent(1, time_off=(TimeOff(0, DAY),), fixed_shifts=(FixedShift(600, 1080),))],
        templates=[TEMPLATE],
    )

    # when
    conflicts = explain(p)

    # then
    assert [where(c) for c in conflicts] == [(Rule.TIME_OFF, 1, None, 0, 10)]
    assert conflicts[0].intervals == 8


def test_more_demand_than_agents_names_the_queue_and_intervals():
    # given three chat agents wanted on Monday 10:00–12:00 but only two agents exist
    p = problem(
        agents=[agent(1), agent(2)],
        templates=[TEMPLATE],
        needs={(CHAT, 10): 3, (CHAT, 11): 3},
        days=1,
    )

    # when
    conflicts = explain(p)
    solution = solve(p, time_limit_seconds=10)

    # then
    assert [(c.rule, c.queue_id, c.day, c.interval, c.intervals) for c in conflicts] == [
        (Rule.COVERAGE, CHAT, 0, 10, 2)
    ]
    assert "only 2 agents may work then" in conflicts[0].message
    assert solution.status == SolveStatus.OPTIMAL
    assert solution.shortfall_agent_hours == 2.0
    assert list(solution.conflicts) == conflicts


def test_a_conflict_reads_as_a_sentence_with_names_dates_and_limits():
    # given the rest conflict of the first test
    late = FixedShift(14 * 60, 22 * 60, queue_id=CHAT)
    early = FixedShift(DAY + 6 * 60, DAY + 14 * 60, queue_id=CHAT)
    p = problem(agents=[agent(1, fixed_shifts=(late, early))], templates=[TEMPLATE])
    short = Conflict(Rule.COVERAGE, "", queue_id=CHAT, day=0, interval=10, intervals=2)

    # when
    rest = describe(p, explain(p)[0])

    # then
    assert rest == "Agent 1 would rest less than 660 minutes before 2026-12-08 06:00"
    assert describe(p, short) == "Chat is under-staffed from 2026-12-07 10:00 for 120 minutes"
