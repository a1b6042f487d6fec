"""Business-time arithmetic by hand: weekends, DST nights, other zones, holidays."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from kefu.kit import i18n
from kefu.sla.calendar import AlwaysOpen, BusinessCalendar, Holiday, Interval, parse_hhmm
from kefu.sla.checks import human_duration

HOUR = 3600
WEEKDAYS_9_TO_6 = tuple(Interval(day, 9 * 60, 18 * 60) for day in range(5))


def local(zone: str, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone)).astimezone(UTC)  # type: ignore[misc]


def test_friday_evening_plus_an_hour_is_monday_morning() -> None:
    # given 9–18 on weekdays in London (winter)
    calendar = BusinessCalendar("Europe/London", WEEKDAYS_9_TO_6)
    # when an hour is added at Friday 17:30
    due = calendar.add_business_time(local("Europe/London", 2026, 1, 16, 17, 30), HOUR)
    # then it runs out on Monday at 09:30
    assert due == local("Europe/London", 2026, 1, 19, 9, 30)


def test_london_spring_forward_weekend_keeps_monday_local_time() -> None:
    calendar = BusinessCalendar("Europe/London", WEEKDAYS_9_TO_6)
    # Friday 27 March 2026 17:30 GMT; clocks go forward on Sunday the 29th
    due = calendar.add_business_time(local("Europe/London", 2026, 3, 27, 17, 30), HOUR)
    assert due == local("Europe/London", 2026, 3, 30, 9, 30)
    assert due == datetime(2026, 3, 30, 8, 30, tzinfo=UTC)  # BST is UTC+1


def test_new_york_autumn_night_counts_the_repeated_hour_twice() -> None:
    # given a Sunday shift 00:00–04:00 on the night clocks go back (1 Nov 2026)
    calendar = BusinessCalendar("America/New_York", (Interval(6, 0, 4 * 60),))
    day_start = local("America/New_York", 2026, 11, 1, 0, 0)
    # then the shift is five real hours long
    assert calendar.business_seconds_between(day_start, day_start + timedelta(days=1)) == 5 * HOUR
    assert calendar.add_business_time(day_start, 5 * HOUR) == datetime(2026, 11, 1, 9, tzinfo=UTC)


def test_new_york_spring_night_skips_the_missing_hour() -> None:
    # given a Sunday shift 01:00–04:00 on the night clocks go forward (8 Mar 2026)
    calendar = BusinessCalendar("America/New_York", (Interval(6, 60, 4 * 60),))
    day_start = local("America/New_York", 2026, 3, 8, 0, 0)
    # then 02:00–03:00 never happens: two real hours
    assert calendar.business_seconds_between(day_start, day_start + timedelta(days=1)) == 2 * HOUR
    # 01:30 EST + 1 h of business time is 03:30 EDT
    start = local("America/New_York", 2026, 3, 8, 1, 30)
    assert calendar.add_business_time(start, HOUR) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)


def test_shanghai_lunch_break_and_weekend() -> None:
    # given 09:00–12:00 and 13:00–18:00 on weekdays in Shanghai (UTC+8, no DST)
    intervals = tuple(
        Interval(day, start, end) for day in range(5) for start, end in ((540, 720), (780, 1080))
    )
    calendar = BusinessCalendar("Asia/Shanghai", intervals)
    start = local("Asia/Shanghai", 2026, 6, 5, 11, 0)  # a Friday
    # 1 h before lunch, 5 h after, then Monday morning
    assert calendar.add_business_time(start, 2 * HOUR) == local("Asia/Shanghai", 2026, 6, 5, 14, 0)
    assert calendar.add_business_time(start, 7 * HOUR) == local("Asia/Shanghai", 2026, 6, 8, 10, 0)
    assert calendar.is_open(local("Asia/Shanghai", 2026, 6, 5, 12, 30)) is False
    assert calendar.is_open(local("Asia/Shanghai", 2026, 6, 5, 13, 0)) is True


def test_a_yearly_holiday_is_closed_every_year() -> None:
    # given Christmas as a yearly holiday and a one-off closure on 2026-12-28
    calendar = BusinessCalendar(
        "Europe/London", WEEKDAYS_9_TO_6, (Holiday(12, 25), Holiday(12, 28, 2026))
    )
    # Thursday 24 Dec 2026 17:00 + 2 h: Friday 25th is closed, the weekend, Monday 28th closed
    due = calendar.add_business_time(local("Europe/London", 2026, 12, 24, 17, 0), 2 * HOUR)
    assert due == local("Europe/London", 2026, 12, 29, 10, 0)
    # in 2027 the 25th is a Saturday; the 28th (a Tuesday) is open: one-off was for 2026 only
    assert calendar.is_open(local("Europe/London", 2027, 12, 28, 10, 0)) is True
    assert calendar.is_open(local("Europe/London", 2030, 12, 25, 10, 0)) is False


def test_long_spans_jump_over_weeks() -> None:
    calendar = BusinessCalendar("Europe/London", WEEKDAYS_9_TO_6)
    start = local("Europe/London", 2026, 1, 5, 9, 0)  # a Monday
    # 45 business hours is exactly one working week
    assert calendar.add_business_time(start, 45 * HOUR) == local("Europe/London", 2026, 1, 9, 18)
    year_later = start + timedelta(days=364)
    assert calendar.business_seconds_between(start, year_later) == 52 * 45 * HOUR


def test_zero_seconds_is_the_start_and_backwards_is_nothing() -> None:
    calendar = BusinessCalendar("Europe/London", WEEKDAYS_9_TO_6)
    start = local("Europe/London", 2026, 1, 10, 3, 0)  # a Saturday night
    assert calendar.add_business_time(start, 0) == start
    assert calendar.business_seconds_between(start, start - timedelta(hours=5)) == 0


def test_calendar_hours_are_plain_arithmetic() -> None:
    start = datetime(2026, 3, 8, 6, 0, tzinfo=UTC)
    assert AlwaysOpen().add_business_time(start, 90 * 60) == start + timedelta(minutes=90)
    assert AlwaysOpen().business_seconds_between(start, start + timedelta(hours=3)) == 3 * HOUR


def test_a_schedule_with_nothing_open_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one open interval"):
        BusinessCalendar("UTC", ())
    with pytest.raises(ValueError, match="ends after it starts"):
        Interval(0, 22 * 60, 6 * 60)  # a night shift is two intervals


def test_every_day_a_holiday_is_refused_instead_of_looping() -> None:
    holidays = tuple(
        Holiday(d.month, d.day)
        for d in (datetime(2024, 1, 1) + timedelta(days=n) for n in range(366))
    )
    calendar = BusinessCalendar("UTC", WEEKDAYS_9_TO_6, holidays)
    with pytest.raises(ValueError, match="no open time"):
        calendar.add_business_time(datetime(2026, 1, 1, tzinfo=UTC), HOUR)
    with pytest.raises(ValueError, match="no open time"):  # and again, asked once more
        calendar.business_seconds_between(
            datetime(2026, 1, 2, tzinfo=UTC), datetime(2026, 1, 9, tzinfo=UTC)
        )


@pytest.mark.parametrize(
    ("text", "minutes"), [("09:30", 570), ("00:00", 0), ("24:00", 1440), (" 7:05", 425)]
)
def test_times_of_day_are_read(text: str, minutes: int) -> None:
    assert parse_hhmm(text) == minutes


@pytest.mark.parametrize("text", ["9", "25:00", "09:60", "ab:cd", "24:01", "9:5"])
def test_bad_times_of_day_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_hhmm(text)


@pytest.mark.parametrize(
    ("language", "minutes", "text"),
    [
        ("en", 23, "23 minutes"),
        ("en", 180, "3 hours"),
        ("en", 3 * 24 * 60, "3 days"),
        ("zh_Hans", 23, "23分钟"),
        ("zh_Hans", 0, "1分钟"),  # never "0 minutes": a clock due now reads "1 minute"
    ],
)
def test_durations_read_in_english_and_chinese(language: str, minutes: int, text: str) -> None:
    token = i18n.current_language.set(language)
    try:
        assert human_duration(timedelta(minutes=minutes)) == text
    finally:
        i18n.current_language.reset(token)


def test_a_calendar_works_each_days_periods_out_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # given a calendar, and a count of how often it works a day's open periods out
    from kefu.sla import calendar as module

    worked: list[object] = []
    pieces = module._day_pieces

    def counted(time_zone: str, day: object) -> object:
        worked.append(day)
        return pieces(time_zone, day)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "_day_pieces", counted)
    calendar = BusinessCalendar("Asia/Shanghai", WEEKDAYS_9_TO_6)
    fresh = BusinessCalendar("Asia/Shanghai", WEEKDAYS_9_TO_6)
    start = local("Asia/Shanghai", 2026, 1, 12, 10, 0)
    # when a batch handler's many tickets ask for due times and time used in the same days
    starts = [start + timedelta(minutes=7 * n) for n in range(200)]
    dues = [calendar.add_business_time(at, 8 * HOUR) for at in starts]
    used = [calendar.business_seconds_between(at, at + timedelta(hours=30)) for at in starts]
    # then each day is worked out once, and the answers are a fresh calendar's
    assert len(worked) == len(set(worked)) < 10
    assert dues == [fresh.add_business_time(at, 8 * HOUR) for at in starts]
    assert used == [fresh.business_seconds_between(at, at + timedelta(hours=30)) for at in starts]
