"""Date ranges: the presets a manager picks, and the period a scheduled report covers, both
as local calendar days in a time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kefu.errors import InvalidInput
from kefu.kit.i18n import N_
from kefu.kit.i18n import gettext as _

PRESETS: dict[str, str] = {
    "today": N_("Today"),
    "yesterday": N_("Yesterday"),
    "last_7": N_("Last 7 days"),
    "last_30": N_("Last 30 days"),
    "last_90": N_("Last 90 days"),
    "this_week": N_("This week"),
    "last_week": N_("Last week"),
    "this_month": N_("This month"),
    "last_month": N_("Last month"),
    "custom": N_("Custom"),
}
FREQUENCIES: dict[str, str] = {
    "daily": N_("Daily"),
    "weekly": N_("Weekly (Monday to Sunday)"),
    "monthly": N_("Monthly"),
}
MAX_DAYS = 3 * 366


@dataclass(frozen=True, slots=True)
class DayRange:
    since: date
    until: date  # inclusive

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(_("unknown time zone %(zone)s", zone=name)) from None


def local_today(now: datetime, time_zone: str) -> date:
    return now.astimezone(zone(time_zone)).date()


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _previous_month(day: date) -> tuple[date, date]:
    last = _month_start(day) - timedelta(days=1)
    return _month_start(last), last


def preset_range(preset: str, *, today: date) -> DayRange:
    """The days a preset covers, ending today (or the last complete week/month)."""
    if preset == "today":
        return DayRange(today, today)
    if preset == "yesterday":
        return DayRange(today - timedelta(days=1), today - timedelta(days=1))
    if preset in ("last_7", "last_30", "last_90"):
        days = int(preset.removeprefix("last_"))
        return DayRange(today - timedelta(days=days - 1), today)
    if preset == "this_week":
        return DayRange(today - timedelta(days=today.weekday()), today)
    if preset == "last_week":
        monday = today - timedelta(days=today.weekday() + 7)
        return DayRange(monday, monday + timedelta(days=6))
    if preset == "this_month":
        return DayRange(_month_start(today), today)
    if preset == "last_month":
        return DayRange(*_previous_month(today))
    raise InvalidInput(
        _("unknown range %(range)s; use one of %(ranges)s", range=preset, ranges=", ".join(PRESETS))
    )


def custom_range(since: date, until: date) -> DayRange:
    if until < since:
        raise InvalidInput(_("the range ends before it starts"))
    if (until - since).days + 1 > MAX_DAYS:
        raise InvalidInput(_("a range covers at most %(days)s days", days=MAX_DAYS))
    return DayRange(since, until)


def _months_back(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def previous_range(days: DayRange) -> DayRange:
    """The period just before, as long; whole calendar months compare with as many months
    before (March with February, not with the 31 days before)."""
    month_end = _month_start(_month_start(days.until) + timedelta(days=32)) - timedelta(days=1)
    if days.since.day == 1 and days.until == month_end:
        start = days.since
        months = (days.until.year - start.year) * 12 + days.until.month - start.month + 1
        return DayRange(_months_back(start, months), start - timedelta(days=1))
    length = timedelta(days=days.days)
    return DayRange(days.since - length, days.until - length)


def last_complete_period(frequency: str, *, today: date) -> DayRange:
    """The schedule's period that ended most recently before `today` (local)."""
    if frequency == "daily":
        return preset_range("yesterday", today=today)
    if frequency == "weekly":
        return preset_range("last_week", today=today)
    if frequency == "monthly":
        return preset_range("last_month", today=today)
    raise InvalidInput(
        _("unknown frequency %(value)s; use daily, weekly or monthly", value=frequency)
    )


def local_midnight_utc(day: date, time_zone: str) -> datetime:
    """When `day` starts in the zone, as an aware datetime (UTC offsets of that night)."""
    return datetime(day.year, day.month, day.day, tzinfo=zone(time_zone))
