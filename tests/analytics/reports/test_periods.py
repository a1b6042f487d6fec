"""Date ranges: presets, previous periods and the period a schedule mails, in its zone."""

from datetime import UTC, date, datetime

import pytest

from kefu.analytics.reports.periods import (
    DayRange,
    custom_range,
    last_complete_period,
    local_today,
    preset_range,
    previous_range,
)
from kefu.errors import InvalidInput

SATURDAY = date(2026, 12, 5)


@pytest.mark.parametrize(
    ("preset", "since", "until"),
    [
        ("today", date(2026, 12, 5), date(2026, 12, 5)),
        ("yesterday", date(2026, 12, 4), date(2026, 12, 4)),
        ("last_7", date(2026, 11, 29), date(2026, 12, 5)),
        ("last_30", date(2026, 11, 6), date(2026, 12, 5)),
        ("this_week", date(2026, 11, 30), date(2026, 12, 5)),
        ("last_week", date(2026, 11, 23), date(2026, 11, 29)),
        ("this_month", date(2026, 12, 1), date(2026, 12, 5)),
        ("last_month", date(2026, 11, 1), date(2026, 11, 30)),
    ],
)
def test_presets_cover_local_days(preset: str, since: date, until: date) -> None:
    assert preset_range(preset, today=SATURDAY) == DayRange(since, until)


def test_the_previous_period_is_as_long_and_a_month_compares_with_the_month_before() -> None:
    assert previous_range(DayRange(date(2026, 11, 29), date(2026, 12, 5))) == DayRange(
        date(2026, 11, 22), date(2026, 11, 28)
    )
    assert previous_range(DayRange(date(2026, 3, 1), date(2026, 3, 31))) == DayRange(
        date(2026, 2, 1), date(2026, 2, 28)
    )
    assert previous_range(DayRange(date(2026, 1, 1), date(2026, 3, 31))) == DayRange(
        date(2025, 10, 1), date(2025, 12, 31)
    )


def test_a_schedules_period_is_the_last_complete_one() -> None:
    assert last_complete_period("daily", today=SATURDAY) == DayRange(
        date(2026, 12, 4), date(2026, 12, 4)
    )
    assert last_complete_period("weekly", today=SATURDAY) == DayRange(
        date(2026, 11, 23), date(2026, 11, 29)
    )
    assert last_complete_period("monthly", today=date(2026, 1, 1)) == DayRange(
        date(2025, 12, 1), date(2025, 12, 31)
    )


def test_the_local_day_depends_on_the_time_zone() -> None:
    # Sunday 20:00 UTC is already Monday in Shanghai: last week there has ended
    moment = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)
    assert local_today(moment, "UTC") == date(2026, 11, 29)
    assert local_today(moment, "Asia/Shanghai") == date(2026, 11, 30)
    assert last_complete_period("weekly", today=local_today(moment, "Asia/Shanghai")) == DayRange(
        date(2026, 11, 23), date(2026, 11, 29)
    )


def test_bad_ranges_are_refused() -> None:
    with pytest.raises(InvalidInput, match="ends before"):
        custom_range(date(2026, 2, 1), date(2026, 1, 1))
    with pytest.raises(InvalidInput, match="at most"):
        custom_range(date(2020, 1, 1), date(2026, 1, 1))
    with pytest.raises(InvalidInput, match="unknown range"):
        preset_range("fortnight", today=SATURDAY)
    with pytest.raises(InvalidInput, match="unknown frequency"):
        last_complete_period("hourly", today=SATURDAY)
