"""A forecast run and what adjusts it as stated: measured or manual handle time, campaign
events (×4 from 20:00), public holidays of the queue's country (CN), manual overrides kept
across runs; too little history refused with the reason. Fits use the seasonal naive on a
flat history (milliseconds each), so every expected number is exact."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kefu.db import Database
from kefu.errors import InvalidInput
from kefu.kit.actor import Actor
from kefu.workforce import adjustments, queues
from kefu.workforce.forecasting import forecast_volume
from kefu.workforce.schemas import EventIn, OverrideIn, QueueIn
from tests.workforce.forecast.factories import (
    forecast_now,
    history_csv,
    import_text,
    make_queue,
)

SYSTEM = Actor.system()
NOW = datetime(2026, 11, 9, 3, 0, tzinfo=UTC)  # Monday 03:00 UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _flat_queue(database: Database, *, now: datetime = NOW, **values: object) -> int:
    """A queue with two weeks of 10 contacts an interval (AHT 240 s) before `now`'s day."""
    queue = make_queue(database, **values)
    zone = ZoneInfo(queue.time_zone)
    day = now.astimezone(zone).replace(hour=0, minute=0, second=0, microsecond=0)
    text = history_csv(start=day - timedelta(days=14), days=14, aht_seconds=240,
                       time_zone=queue.time_zone)  # fmt: skip
    import_text(database, queue_id=queue.id, text=text, now=now)
    return queue.id


def _volumes(database: Database, queue_id: int, start: datetime, hours: float) -> list[float]:
    with database.sessions() as session:
        got = forecast_volume(
            session, queue_id=queue_id, start=start, end=start + timedelta(hours=hours)
        )
    return [item.volume for item in got]


def test_a_run_stores_the_chosen_model_and_plans_with_the_measured_aht(
    database: Database,
) -> None:
    queue_id = _flat_queue(database)
    run = forecast_now(database, queue_id=queue_id, now=NOW)
    assert (run.model, run.wape, run.measured_aht_seconds) == ("seasonal_naive", 0.0, 240.0)
    assert run.starts_at == datetime(2026, 11, 9, tzinfo=UTC)
    assert run.ends_at == run.starts_at + timedelta(weeks=2)
    with database.sessions() as session:
        [first] = forecast_volume(
            session, queue_id=queue_id, start=NOW, end=NOW + timedelta(minutes=30)
        )
    assert (first.volume, first.low, first.high, first.aht_seconds) == (10.0, 10.0, 10.0, 240.0)
    # a manual AHT wins over the measured one
    with database.unit_of_work(actor=SYSTEM) as session:
        data = QueueIn(name="Chat", channel="chat", aht_seconds=300)
        queues.update_queue(session, actor=SYSTEM, queue_id=queue_id, data=data)
    with database.sessions() as session:
        [first] = forecast_volume(
            session, queue_id=queue_id, start=NOW, end=NOW + timedelta(minutes=30)
        )
    assert first.aht_seconds == 300.0


def test_an_event_multiplies_its_window_and_only_it(database: Database) -> None:
    # given a forecast of 10 an interval, and 11.11 ×4 from 20:00 to midnight (UTC queue)
    queue_id = _flat_queue(database)
    forecast_now(database, queue_id=queue_id, now=NOW)
    evening = datetime(2026, 11, 11, 19, 0, tzinfo=UTC)
    with database.unit_of_work(actor=SYSTEM) as session:
        event = adjustments.add_event(session, actor=SYSTEM, data=EventIn(
            name="11.11", queue_id=queue_id, starts_at=evening + timedelta(hours=1),
            ends_at=evening + timedelta(hours=5), multiplier=4))  # fmt: skip
        adjustments.add_event(session, actor=SYSTEM, data=EventIn(
            name="Site-wide sale", queue_id=None, starts_at=evening + timedelta(hours=4),
            ends_at=evening + timedelta(hours=6), multiplier=1.5))  # fmt: skip
    # then 19:00–20:00 stays, 20:00–23:00 is ×4, 23:00 is ×4×1.5, midnight ×1.5
    assert _volumes(database, queue_id, evening, 6) == [10, 10] + [40] * 6 + [60] * 2 + [15] * 2
    with database.unit_of_work(actor=SYSTEM) as session:
        adjustments.delete_event(session, actor=SYSTEM, event_id=event.id)
    assert _volumes(database, queue_id, evening, 2) == [10, 10, 10, 10]


def test_public_holidays_of_the_queue_country_adjust_and_are_cleaned_from_history(
    database: Database,
) -> None:
    # given a Shanghai queue whose history dips to 2 on the Mid-Autumn Festival (Fri 25 Sep)
    now = datetime(2026, 9, 28, 1, 0, tzinfo=SHANGHAI)
    queue = make_queue(database, time_zone="Asia/Shanghai", country="CN", holiday_multiplier=0.5)
    festival = datetime(2026, 9, 25, tzinfo=SHANGHAI)
    text = history_csv(
        start=datetime(2026, 9, 14, tzinfo=SHANGHAI), days=14, time_zone="Asia/Shanghai",
        contacts=lambda at: 2 if festival <= at < festival + timedelta(days=1) else 10,
    )  # fmt: skip
    import_text(database, queue_id=queue.id, text=text, now=now)
    # when forecast for two weeks
    forecast_now(database, queue_id=queue.id, now=now)
    # then National Day (1 Oct) is halved, 30 Sep is not, and Fri 9 Oct (no holiday) is a
    # normal Friday: the festival's dip was not learnt as a Friday pattern
    for day, expected in ((30, 10.0), (1, 5.0)):
        month = 9 if day == 30 else 10
        start = datetime(2026, month, day, 12, 0, tzinfo=SHANGHAI)
        assert _volumes(database, queue.id, start, 1) == [expected, expected]
    assert _volumes(database, queue.id, datetime(2026, 10, 9, 12, tzinfo=SHANGHAI), 1) == [10, 10]


def test_an_override_replaces_the_interval_and_survives_a_new_run(database: Database) -> None:
    queue_id = _flat_queue(database)
    forecast_now(database, queue_id=queue_id, now=NOW)
    at = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
    with database.unit_of_work(actor=SYSTEM) as session:
        adjustments.set_override(session, actor=SYSTEM, queue_id=queue_id,
                                 data=OverrideIn(start_at=at, volume=25, note="TV ad"))  # fmt: skip
    forecast_now(database, queue_id=queue_id, now=NOW + timedelta(hours=1))
    with database.sessions() as session:
        got = forecast_volume(session, queue_id=queue_id, start=at, end=at + timedelta(hours=1))
    assert [(g.volume, g.low, g.high, g.is_override) for g in got] == [
        (25.0, 25.0, 25.0, True),
        (10.0, 10.0, 10.0, False),
    ]
    # an override off the interval grid is refused; removing it restores the forecast
    with database.unit_of_work(actor=SYSTEM) as session:
        with pytest.raises(InvalidInput, match="every 30 minutes"):
            adjustments.set_override(session, actor=SYSTEM, queue_id=queue_id,
                data=OverrideIn(start_at=at + timedelta(minutes=10), volume=1))  # fmt: skip
        adjustments.remove_override(session, actor=SYSTEM, queue_id=queue_id, start_at=at)
    assert _volumes(database, queue_id, at, 0.5) == [10.0]


def test_too_little_history_is_refused_with_the_reason(database: Database) -> None:
    queue = make_queue(database)
    text = history_csv(start=NOW - timedelta(days=10), days=9)
    import_text(database, queue_id=queue.id, text=text, now=NOW)
    with pytest.raises(InvalidInput, match="has 9 days of history; a forecast needs at least 2"):
        forecast_now(database, queue_id=queue.id, now=NOW)
    with pytest.raises(InvalidInput, match="1 to 8 weeks"):
        forecast_now(database, queue_id=queue.id, now=NOW, weeks=9)
