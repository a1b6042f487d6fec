"""Intraday: today's forecast against what arrived, the rest of the day re-forecast by the
day's actual ÷ forecast so far (overrides kept), and the hourly job forecasting each queue
once per local day."""

from datetime import UTC, datetime, timedelta

from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.runtime import Runtime
from kefu.workforce import adjustments
from kefu.workforce.intraday import day_factor, intraday, reforecast_rest_of_day
from kefu.workforce.jobs import forecast_queues
from kefu.workforce.schemas import OverrideIn
from tests.workforce.forecast.factories import (
    forecast_now,
    history_csv,
    import_text,
    make_queue,
)

SYSTEM = Actor.system()
TODAY = datetime(2026, 11, 9, tzinfo=UTC)  # a Monday


def _forecast_10_an_interval(database: Database, *, name: str = "Chat") -> int:
    queue = make_queue(database, name=name)
    text = history_csv(start=TODAY - timedelta(days=14), days=14)
    import_text(database, queue_id=queue.id, text=text, now=TODAY)
    forecast_now(database, queue_id=queue.id, now=TODAY, weeks=1)
    return queue.id


def test_the_rest_of_the_day_is_scaled_by_the_day_so_far(database: Database) -> None:
    # given a forecast of 10 an interval, a morning running at 20, and a manager's 15:00
    queue_id = _forecast_10_an_interval(database)
    now = TODAY + timedelta(hours=10, minutes=5)
    morning = history_csv(start=TODAY, days=1, contacts=lambda at: 20)
    morning = "\n".join(morning.splitlines()[:21]) + "\n"  # 00:00 … 09:30
    import_text(database, queue_id=queue_id, text=morning, now=now)
    at_three = TODAY + timedelta(hours=15)
    with database.unit_of_work(actor=SYSTEM) as session:
        adjustments.set_override(
            session, actor=SYSTEM, queue_id=queue_id, data=OverrideIn(start_at=at_three, volume=7)
        )
    # when
    with database.sessions() as session:
        today = intraday(session, queue_id=queue_id, now=now)
        rest = reforecast_rest_of_day(session, queue_id=queue_id, now=now)
    # then the morning is actual 20 against 10, and the rest of the day is doubled
    assert today.factor == 2.0 and len(today.intervals) == 48
    ten = today.intervals[20]
    assert (ten.start_at, ten.forecast, ten.actual, ten.reforecast) == (
        TODAY + timedelta(hours=10), 10.0, None, 20.0,
    )  # fmt: skip
    nine = today.intervals[19]
    assert (nine.forecast, nine.actual, nine.reforecast) == (10.0, 20.0, None)
    assert [item.volume for item in rest] == [20.0] * 10 + [7.0] + [20.0] * 17
    assert rest[10].is_override and rest[0].start_at == TODAY + timedelta(hours=10)


def test_an_early_morning_is_not_trusted_to_rescale_the_day() -> None:
    assert day_factor(forecast=10.0, actual=40.0) == 1.0  # under 20 contacts expected
    assert day_factor(forecast=100.0, actual=1000.0) == 4.0  # bounded
    assert day_factor(forecast=100.0, actual=0.0) == 0.25
    assert day_factor(forecast=100.0, actual=80.0) == 0.8


def test_the_job_forecasts_each_queue_once_a_local_day(
    database: Database, runtime: Runtime
) -> None:
    # given a queue with history and one without
    queue_id = _forecast_10_an_interval(database, name="Chat")
    make_queue(database, name="New phone line", channel="phone")
    tomorrow = TODAY + timedelta(days=1, hours=0, minutes=15)
    # when the job runs after midnight, then again an hour later
    first = forecast_queues(now=tomorrow)
    again = forecast_queues(now=tomorrow + timedelta(hours=1))
    # then the queue with history was forecast once; the new one is skipped, not failed
    assert first == {"forecast": 1, "skipped": 1}
    assert again == {"forecast": 0, "skipped": 1}
    with database.sessions() as session:
        today = intraday(session, queue_id=queue_id, now=tomorrow)
    assert today.intervals[0].forecast == 10.0
