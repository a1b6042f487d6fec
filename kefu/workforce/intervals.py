"""Interval arithmetic: UTC interval starts of 15 or 30 minutes, and their local days."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from kefu.kit.clock import as_utc

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def floor_interval(moment: datetime, minutes: int) -> datetime:
    """The start of the interval holding `moment` (intervals are aligned on UTC: 15 and 30
    minutes divide an hour, so they are aligned in every whole- or half-hour time zone)."""
    seconds = int((as_utc(moment) - EPOCH).total_seconds())
    step = minutes * 60
    return EPOCH + timedelta(seconds=seconds - seconds % step)


def ceil_interval(moment: datetime, minutes: int) -> datetime:
    start = floor_interval(moment, minutes)
    return start if start == as_utc(moment) else start + timedelta(minutes=minutes)


def interval_starts(start: datetime, end: datetime, minutes: int) -> Iterator[datetime]:
    """Every interval start from the one holding `start` up to (not including) `end`."""
    at = floor_interval(start, minutes)
    step = timedelta(minutes=minutes)
    end = as_utc(end)
    while at < end:
        yield at
        at += step


def local_day(moment: datetime, time_zone: str) -> date:
    return as_utc(moment).astimezone(ZoneInfo(time_zone)).date()


def local_day_bounds(day: date, time_zone: str) -> tuple[datetime, datetime]:
    """[start, end) of a calendar day in a time zone, as UTC."""
    zone = ZoneInfo(time_zone)
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    following = day + timedelta(days=1)
    end = datetime(following.year, following.month, following.day, tzinfo=zone)
    return as_utc(start), as_utc(end)


def per_day(minutes: int) -> int:
    return 24 * 60 // minutes


def per_week(minutes: int) -> int:
    return 7 * per_day(minutes)
