"""Requirements per queue and interval from the forecast: each channel with its model."""

from datetime import UTC, datetime, timedelta

from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.sla.calendar import AlwaysOpen, BusinessCalendar, Interval
from kefu.workforce import adjustments
from kefu.workforce.forecasting import IntervalVolume
from kefu.workforce.schemas import OverrideIn
from kefu.workforce.staffing.erlang import staff_interval
from kefu.workforce.staffing.requirements import plan_workload, required_staff
from tests.sla.factories import WEEKDAYS_9_TO_6, make_schedule, make_team
from tests.workforce.forecast.factories import forecast_now, history_csv, import_text
from tests.workforce.staffing.factories import make_forecast, make_queue

MONDAY = datetime(2026, 11, 9, tzinfo=UTC)
WEEK = MONDAY + timedelta(days=7)


def requirements(database: Database, queue_id: int, start=MONDAY, end=WEEK):
    with database.unit_of_work() as session:
        return required_staff(session, queue_id=queue_id, start=start, end=end)


def test_no_forecast_means_no_requirements(database: Database) -> None:
    queue = make_queue(database)
    assert requirements(database, queue.id) == []


def test_voice_queue_is_staffed_by_erlang_c_per_interval(database: Database) -> None:
    # given a phone queue (80 % in 20 s, 85 % occupancy, 30 % shrinkage, AHT 180 s)
    queue = make_queue(database)
    make_forecast(database, queue_id=queue.id, start=MONDAY, volumes=[100, 40, 0, 250])
    # when
    found = requirements(database, queue.id)
    # then the interval needs 14 on the floor and 20 scheduled
    assert [r.start_at for r in found] == [MONDAY + timedelta(minutes=30 * i) for i in range(4)]
    assert (found[0].raw_agents, found[0].scheduled_agents) == (14, 20)
    assert found[0].model == "erlang_c"
    assert round(found[0].service_level, 3) == 0.888
    assert found[0].abandon_rate is None
    assert (found[2].raw_agents, found[2].scheduled_agents) == (0, 0)
    for r, volume in zip(found, [100, 40, 0, 250], strict=True):
        expected = staff_interval(
            volume=volume, interval_minutes=30, aht_seconds=180, service_level=0.8,
            answer_within_seconds=20, max_occupancy=0.85, shrinkage=0.3,
        )  # fmt: skip
        assert (r.raw_agents, r.scheduled_agents) == (
            expected.raw_agents,
            expected.scheduled_agents,
        )
        assert (r.volume, r.aht_seconds, r.queue_id) == (volume, 180, queue.id)


def test_requirements_from_imported_history_and_a_real_forecast_run(database: Database) -> None:
    # given two weeks of history, 100 calls of 180 s every half hour, and a forecast run
    queue = make_queue(database)
    history = history_csv(start=MONDAY - timedelta(weeks=2), days=14,
                          contacts=lambda at: 100, aht_seconds=180)  # fmt: skip
    report = import_text(database, queue_id=queue.id, text=history, now=MONDAY)
    assert not report.rejected
    forecast_now(database, queue_id=queue.id, now=MONDAY)
    # when
    found = requirements(database, queue.id, end=MONDAY + timedelta(days=1))
    # then every half hour of Monday needs the 14 on the floor and 20 scheduled
    assert len(found) == 48
    assert {(r.volume, r.raw_agents, r.scheduled_agents) for r in found} == {(100.0, 14, 20)}


def test_patience_makes_it_erlang_a(database: Database) -> None:
    queue = make_queue(database, patience_seconds=300)
    make_forecast(database, queue_id=queue.id, start=MONDAY, volumes=[100])
    [found] = requirements(database, queue.id)
    assert (found.model, found.raw_agents, found.scheduled_agents) == ("erlang_a", 13, 19)
    assert 0 < found.abandon_rate < 0.05


def test_chat_queue_shares_agents_by_concurrency(database: Database) -> None:
    queue = make_queue(database, name="Chat", channel="chat", concurrency=2)
    make_forecast(database, queue_id=queue.id, start=MONDAY, volumes=[100])
    [found] = requirements(database, queue.id)
    assert found.raw_agents == 7  # the 14 servers of the voice answer, two chats each


def test_asa_target_is_used_instead_of_the_service_level(database: Database) -> None:
    queue = make_queue(database, asa_target_seconds=30)
    make_forecast(database, queue_id=queue.id, start=MONDAY, volumes=[100])
    [found] = requirements(database, queue.id)
    assert found.raw_agents == 13
    assert found.asa_seconds <= 30
    assert found.service_level < 0.8


def test_an_override_changes_the_requirement(database: Database) -> None:
    # given a forecast of 100 and a manager's override of 200 for the first interval
    queue = make_queue(database)
    make_forecast(database, queue_id=queue.id, start=MONDAY, volumes=[100, 100])
    with database.unit_of_work(actor=Actor.system()) as session:
        adjustments.set_override(
            session, actor=Actor.system(), queue_id=queue.id,
            data=OverrideIn(start_at=MONDAY, volume=200),
        )  # fmt: skip
    # when
    found = requirements(database, queue.id)
    # then
    assert [r.volume for r in found] == [200, 100]
    assert found[0].raw_agents > found[1].raw_agents == 14


def test_email_backlog_is_cleared_within_its_business_hours(database: Database) -> None:
    # given an email queue of a team working 09:00-18:00 London time, 4 business hours to
    # answer, and 60 mails of 6 minutes arriving between 06:00 and 07:00 on Monday
    team_id = make_team(database)
    make_schedule(database, intervals=WEEKDAYS_9_TO_6, team_ids=[team_id])
    queue = make_queue(
        database, name="Email", channel="email", team_id=team_id, async_within_hours=4,
        aht_seconds=360,
    )  # fmt: skip
    volumes = [0.0] * 48
    volumes[12] = volumes[13] = 30  # 06:00 and 06:30 UTC (London is UTC in November)
    make_forecast(database, queue_id=queue.id, start=MONDAY, volumes=volumes)
    # when
    found = requirements(database, queue.id, end=MONDAY + timedelta(days=1))
    # then 6 hours of work are done from 09:00 to 13:00 (8 intervals), none before 09:00
    busy = {r.start_at.hour + r.start_at.minute / 60: r.raw_agents for r in found if r.raw_agents}
    assert busy == {9 + h / 2: 2 for h in range(8)}  # 45 min of work per 30 min at 85 %
    assert all(r.model == "workload" and r.service_level is None for r in found)
    assert found[18].scheduled_agents == 3  # 2 / 0.7 rounded up


def test_workload_spreads_over_the_window_when_always_open() -> None:
    # given 10 contacts of 6 minutes (1 hour of work) to answer within 2 hours
    arrivals = [IntervalVolume(MONDAY, 10, 10, 10, False, 360.0)] + [
        IntervalVolume(MONDAY + timedelta(minutes=30 * i), 0, 0, 0, False, 360.0)
        for i in range(1, 6)
    ]
    # when
    plan = plan_workload(
        arrivals, calendar=AlwaysOpen(), interval_minutes=30, window_seconds=7200,
        max_occupancy=0.85, shrinkage=0.3, queue_id=1, start=MONDAY,
    )  # fmt: skip
    # then 15 minutes of work in each of the four intervals of the window
    assert [r.raw_agents for r in plan] == [1, 1, 1, 1, 0, 0]
    assert [round(r.occupancy, 3) for r in plan[:4]] == [0.5] * 4


def test_workload_before_the_range_spills_into_it() -> None:
    # given Friday-evening mail, a Monday-to-Friday 09:00-17:00 UTC calendar, 8 hours to answer
    calendar = BusinessCalendar("UTC", tuple(Interval(d, 9 * 60, 17 * 60) for d in range(5)))
    friday = MONDAY - timedelta(days=3)
    arrivals = [
        IntervalVolume(friday + timedelta(minutes=30 * i), 20 if i == 32 else 0, 0, 0, False, 540.0)
        for i in range(48 * 4)
    ]
    # when only Monday is asked for
    plan = plan_workload(
        arrivals, calendar=calendar, interval_minutes=30, window_seconds=8 * 3600,
        max_occupancy=1.0, shrinkage=0.0, queue_id=1, start=MONDAY,
    )  # fmt: skip
    # then Friday 16:00's 3 hours of work: 1 h done on Friday, 2 h spread over Monday 9-16
    monday = [r for r in plan if r.raw_agents]
    assert monday[0].start_at == MONDAY + timedelta(hours=9)
    assert len(monday) == 14
    assert round(sum(r.occupancy * 1800 * r.raw_agents for r in plan), 6) == 9450  # 7/8 of 3 h
