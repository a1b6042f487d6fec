"""The intraday page's intervals carry the forecast side's re-forecast of the rest of the
day (one computation, kefu.workforce.intraday), and a past day has none."""

from datetime import UTC, datetime, timedelta

from kefu.db import Database
from kefu.workforce.queues import get_queue
from kefu.workforce.scheduling import intraday
from tests.workforce.forecast.factories import forecast_now, history_csv, import_text, make_queue

TODAY = datetime(2026, 11, 9, tzinfo=UTC)  # a Monday


def test_the_rest_of_today_is_re_forecast_and_a_past_day_is_not(database: Database) -> None:
    # given a forecast of 10 an interval and a morning running at 20
    queue = make_queue(database, name="Chat")
    history = history_csv(start=TODAY - timedelta(days=14), days=14)
    import_text(database, queue_id=queue.id, text=history, now=TODAY)
    forecast_now(database, queue_id=queue.id, now=TODAY, weeks=1)
    now = TODAY + timedelta(hours=10, minutes=5)
    morning = history_csv(start=TODAY, days=1, contacts=lambda at: 20)
    import_text(database, queue_id=queue.id, text="\n".join(morning.splitlines()[:21]), now=now)
    # when
    with database.sessions() as session:
        chat = get_queue(session, queue.id)
        today = intraday.intraday(session, queue=chat, day=TODAY.date(), now=now)
        later = intraday.intraday(
            session, queue=chat, day=TODAY.date(), now=now + timedelta(days=1)
        )
    # then: 09:30 is over (20 arrived), 10:00 on is doubled; seen from tomorrow, all is over
    nine, ten = today.intervals[19], today.intervals[20]
    assert (nine.forecast, nine.actual, nine.reforecast) == (10.0, 20.0, None)
    assert (ten.forecast, ten.actual, ten.reforecast) == (10.0, None, 20.0)
    assert all(row.reforecast is None for row in later.intervals)
