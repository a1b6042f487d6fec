"""Coverage is counted on 15-minute slots: a queue left empty inside an interval is short."""

from kefu.workforce.scheduling.coverage_slots import slot_needs
from kefu.workforce.scheduling.problem import PlacedBreak, ScheduledShift
from kefu.workforce.scheduling.solver_check import under_over_minutes
from tests.workforce.solver.factories import CHAT, agent, day_template, problem


def lunching(agent_id: int, at: int) -> ScheduledShift:
    lunch = PlacedBreak("lunch", at, 30, is_paid=False)
    return ScheduledShift(agent_id, 0, 9 * 60, 17 * 60, CHAT, 1, (lunch,))


def one_agent_all_day(interval_minutes: int):
    per_hour = 60 // interval_minutes
    return problem(
        agents=[agent(1), agent(2)],
        templates=[day_template(starts=(9 * 60,))],
        needs={(CHAT, 9 * per_hour + i): 1 for i in range(8 * per_hour)},
        days=1,
        interval_minutes=interval_minutes,
    )


def test_two_agents_lunching_together_leave_the_queue_short_for_their_lunch():
    p = one_agent_all_day(30)
    # 12:15–12:45 together: each 30-minute interval still has 30 agent-minutes, but nobody
    # answers the queue for half an hour
    together = [lunching(1, 12 * 60 + 15), lunching(2, 12 * 60 + 15)]
    staggered = [lunching(1, 12 * 60), lunching(2, 12 * 60 + 30)]
    assert under_over_minutes(p, together)[0] == 30
    assert under_over_minutes(p, staggered)[0] == 0


def test_an_hour_interval_is_split_into_four_slots_that_add_up_to_its_need():
    p = one_agent_all_day(60)
    needs = slot_needs(p)
    assert [needs[CHAT, 36 + k] for k in range(4)] == [15, 15, 15, 15]  # 09:00–10:00
    half = problem(agents=[agent(1)], templates=[day_template()], needs={(CHAT, 9): 1.5},
                   days=1, interval_minutes=60)  # fmt: skip
    assert sum(slot_needs(half)[CHAT, 36 + k] for k in range(4)) == 90
