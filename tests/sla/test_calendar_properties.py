"""Business-time arithmetic against a brute-force oracle that walks minute by minute."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from kefu.sla.calendar import BusinessCalendar, Holiday, Interval

ZONES = [
    "UTC",
    "Europe/London",
    "America/New_York",
    "Asia/Shanghai",
    "Australia/Sydney",  # southern hemisphere: DST in October, back in April
    "Pacific/Chatham",  # +12:45 / +13:45
    "Asia/Kolkata",  # +05:30
]
# Dates around the DST changes of the zones above, so starts land on the odd nights often.
TRANSITIONS = [
    datetime(2026, 3, 8, tzinfo=UTC),
    datetime(2026, 3, 29, tzinfo=UTC),
    datetime(2026, 4, 5, tzinfo=UTC),
    datetime(2026, 9, 27, tzinfo=UTC),
    datetime(2026, 10, 4, tzinfo=UTC),
    datetime(2026, 10, 25, tzinfo=UTC),
    datetime(2026, 11, 1, tzinfo=UTC),
    datetime(2026, 12, 24, tzinfo=UTC),
]
PROPERTY_SETTINGS = settings(max_examples=60, deadline=None)


@st.composite
def intervals(draw: st.DrawFn) -> tuple[Interval, ...]:
    found = []
    for weekday in range(7):
        for _ in range(draw(st.integers(0, 2))):
            # times near the DST hours (01:00–03:00) come up often
            start = draw(st.one_of(st.integers(0, 1439), st.integers(50, 190)))
            end = draw(st.integers(start + 1, min(1440, start + 600)))
            found.append(Interval(weekday, start, end))
    if not found:
        found.append(Interval(draw(st.integers(0, 6)), 60, 240))
    return tuple(found)


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    holidays = draw(
        st.lists(
            st.builds(
                lambda day, yearly: Holiday(day.month, day.day, None if yearly else day.year),
                st.dates(date(2026, 2, 25), date(2026, 12, 31)),
                st.booleans(),
            ),
            max_size=4,
        )
    )
    return BusinessCalendar(draw(st.sampled_from(ZONES)), draw(intervals()), tuple(holidays))


@st.composite
def starts(draw: st.DrawFn) -> datetime:
    base = draw(st.sampled_from(TRANSITIONS))
    return base + timedelta(minutes=draw(st.integers(-3 * 1440, 3 * 1440)))


def oracle_is_open(calendar: BusinessCalendar, minute: datetime) -> bool:
    local = minute.astimezone(ZoneInfo(calendar.time_zone))
    if any(h.covers(local.date()) for h in calendar.holidays):
        return False
    at = local.hour * 60 + local.minute
    return any(i.weekday == local.weekday() and i.start <= at < i.end for i in calendar.intervals)


def oracle_add(calendar: BusinessCalendar, start: datetime, minutes: int) -> datetime:
    at, left = start, minutes
    while left > 0:
        if oracle_is_open(calendar, at):
            left -= 1
        at += timedelta(minutes=1)
    return at


def oracle_between(calendar: BusinessCalendar, a: datetime, b: datetime) -> int:
    minutes, at = 0, a
    while at < b:
        minutes += oracle_is_open(calendar, at)
        at += timedelta(minutes=1)
    return minutes * 60


@PROPERTY_SETTINGS
@given(calendars(), starts(), st.integers(1, 3000))
def test_add_business_time_agrees_with_the_minute_oracle(
    calendar: BusinessCalendar, start: datetime, minutes: int
) -> None:
    assert calendar.add_business_time(start, minutes * 60) == oracle_add(calendar, start, minutes)


@PROPERTY_SETTINGS
@given(calendars(), starts(), st.integers(0, 4 * 1440))
def test_business_seconds_between_agrees_with_the_minute_oracle(
    calendar: BusinessCalendar, start: datetime, span: int
) -> None:
    end = start + timedelta(minutes=span)
    assert calendar.business_seconds_between(start, end) == oracle_between(calendar, start, end)


@PROPERTY_SETTINGS
@given(calendars(), starts(), st.integers(0, 5000))
def test_business_seconds_between_inverts_add_business_time(
    calendar: BusinessCalendar, start: datetime, minutes: int
) -> None:
    due = calendar.add_business_time(start, minutes * 60)
    assert calendar.business_seconds_between(start, due) == minutes * 60


@PROPERTY_SETTINGS
@given(calendars(), starts(), st.integers(0, 3000), st.integers(0, 3000))
def test_add_business_time_is_monotonic_and_additive(
    calendar: BusinessCalendar, start: datetime, first: int, second: int
) -> None:
    shorter = calendar.add_business_time(start, first * 60)
    longer = calendar.add_business_time(start, (first + second) * 60)
    assert shorter <= longer
    # adding in two steps lands where adding at once does (when the second step is not empty)
    if second:
        assert calendar.add_business_time(shorter, second * 60) == longer


@PROPERTY_SETTINGS
@given(calendars(), starts(), st.integers(0, 3 * 1440), st.integers(0, 3 * 1440))
def test_business_seconds_between_grows_with_the_end(
    calendar: BusinessCalendar, start: datetime, a: int, b: int
) -> None:
    near, far = sorted((a, b))
    assert calendar.business_seconds_between(
        start, start + timedelta(minutes=near)
    ) <= calendar.business_seconds_between(start, start + timedelta(minutes=far))


@PROPERTY_SETTINGS
@given(
    calendars(),
    st.lists(st.tuples(starts(), st.integers(0, 5000), st.integers(0, 4 * 1440)), max_size=12),
)
def test_a_calendar_asked_many_times_answers_as_a_walk_from_each_start(
    calendar: BusinessCalendar, questions: list[tuple[datetime, int, int]]
) -> None:
    # one calendar answers a batch's questions from the periods it keeps (its timeline),
    # those before the timeline's start by walking: the same answers either way
    for start, minutes, span in questions:
        assert calendar.add_business_time(start, minutes * 60) == (
            calendar._walk_add(start, minutes * 60) if minutes else start
        )
        end = start + timedelta(minutes=span)
        expected = calendar._walk_between(start, end) if span else 0
        assert calendar.business_seconds_between(start, end) == expected
