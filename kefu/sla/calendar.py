"""Business-time arithmetic on a weekly schedule, without the database.

An instant is open when its wall-clock time in the schedule's zone falls inside one of that
weekday's intervals and its local date is not a holiday. So an interval 01:00–04:00 on the
spring-forward night is two real hours (02:00–03:00 does not exist), and on the autumn night
it is four (01:00–02:00 happens twice). Intervals never cross midnight: a night shift is two
intervals (22:00–24:00, then 00:00–06:00 the next day).

The arithmetic jumps from open period to open period (a few per day), never minute by minute;
a calendar asked many times (a batch of tickets' clocks) keeps the periods it walked with the
open time before each (`_Timeline`), so a later sum or end is found by bisection.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

DAY_MINUTES = 24 * 60
# A schedule with no open time for this long (every day a holiday) cannot meet any target.
MAX_CLOSED_DAYS = 800
MAX_REMEMBERED_DAYS = 4096
# a calendar's timeline starts this long before the first instant it is asked about, so the
# earlier times of the same batch (events, a ticket's history) are on it too
TIMELINE_LEAD = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Interval:
    """Open from `start` to `end` minutes after local midnight on `weekday` (0 = Monday)."""

    weekday: int
    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday {self.weekday} is not 0 (Monday) … 6 (Sunday)")
        if not 0 <= self.start < self.end <= DAY_MINUTES:
            raise ValueError("an interval ends after it starts, within one day")


@dataclass(frozen=True, slots=True)
class Holiday:
    """A closed local date: one day (`on`), or every year on `month`-`day`."""

    month: int
    day: int
    year: int | None = None  # None: every year

    def covers(self, local: date) -> bool:
        return (
            local.month == self.month
            and local.day == self.day
            and (self.year is None or self.year == local.year)
        )


class AlwaysOpen:
    """Calendar hours (or no schedule at all): every second counts."""

    def is_open(self, at: datetime) -> bool:
        return True

    def add_business_time(self, start: datetime, seconds: int) -> datetime:
        return start + timedelta(seconds=max(0, seconds))

    def business_seconds_between(self, a: datetime, b: datetime) -> int:
        return max(0, int((b - a).total_seconds()))


@dataclass(frozen=True)
class BusinessCalendar:
    """A time zone, weekly intervals and holidays; times in and out are aware UTC datetimes."""

    time_zone: str
    intervals: tuple[Interval, ...]
    holidays: tuple[Holiday, ...] = ()
    _by_weekday: dict[int, list[tuple[int, int]]] = field(init=False, repr=False, compare=False)
    _one_off: frozenset[date] = field(init=False, repr=False, compare=False)
    _yearly: frozenset[tuple[int, int]] = field(init=False, repr=False, compare=False)
    # each local date's open periods, worked out once per calendar (a batch handler asks
    # for the same few days for every ticket); bounded, as a long-lived calendar may be
    _periods: dict[date, tuple[tuple[datetime, datetime], ...]] = field(
        init=False, repr=False, compare=False
    )
    _timeline: _Timeline | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        ZoneInfo(self.time_zone)  # an unknown zone fails here, not in the middle of a sum
        if not self.intervals:
            raise ValueError("a schedule needs at least one open interval")
        by_weekday: dict[int, list[tuple[int, int]]] = {day: [] for day in range(7)}
        for interval in sorted(self.intervals, key=lambda i: (i.weekday, i.start)):
            spans = by_weekday[interval.weekday]
            if spans and interval.start <= spans[-1][1]:  # overlapping or touching: one span
                spans[-1] = (spans[-1][0], max(spans[-1][1], interval.end))
            else:
                spans.append((interval.start, interval.end))
        object.__setattr__(self, "_by_weekday", by_weekday)
        one_off = frozenset(
            date(h.year, h.month, h.day) for h in self.holidays if h.year is not None
        )
        yearly = frozenset((h.month, h.day) for h in self.holidays if h.year is None)
        object.__setattr__(self, "_one_off", one_off)
        object.__setattr__(self, "_yearly", yearly)
        object.__setattr__(self, "_periods", {})
        object.__setattr__(self, "_timeline", None)

    def is_holiday(self, local: date) -> bool:
        return local in self._one_off or (local.month, local.day) in self._yearly

    def is_open(self, at: datetime) -> bool:
        local = at.astimezone(ZoneInfo(self.time_zone))
        if self.is_holiday(local.date()):
            return False
        minute = local.hour * 60 + local.minute + (local.second + local.microsecond / 1e6) / 60
        return any(s <= minute < e for s, e in self._by_weekday[local.weekday()])

    def _day_periods(self, local: date) -> tuple[tuple[datetime, datetime], ...]:
        """The UTC periods in which the local date `local` is open (remembered)."""
        found = self._periods.get(local)
        if found is None:
            if len(self._periods) >= MAX_REMEMBERED_DAYS:
                self._periods.clear()
            found = self._periods[local] = tuple(self._work_out_periods(local))
        return found

    def _work_out_periods(self, local: date) -> list[tuple[datetime, datetime]]:
        if self.is_holiday(local):
            return []
        spans = self._by_weekday[local.weekday()]
        if not spans:
            return []
        midnight = datetime.combine(local, time()).replace(tzinfo=UTC)  # local midnight, as UTC
        periods = []
        for lo, hi, offset in _day_pieces(self.time_zone, local):
            for start, end in spans:
                a = max(lo, midnight + timedelta(minutes=start) - offset)
                b = min(hi, midnight + timedelta(minutes=end) - offset)
                if a < b:
                    periods.append((a, b))
        return periods

    def open_periods(self, start: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Open periods from `start` on, in order, merged where they touch, clipped to start."""
        start = start.astimezone(UTC)
        day = start.astimezone(ZoneInfo(self.time_zone)).date() - timedelta(days=1)
        pending: list[tuple[datetime, datetime]] = []
        closed_days = 0
        while True:
            found = self._day_periods(day)
            closed_days = 0 if found else closed_days + 1
            if closed_days > MAX_CLOSED_DAYS:
                raise ValueError("the schedule has no open time for more than two years")
            pending.extend(found)
            day += timedelta(days=1)
            # no later local day has an instant before its local midnight minus 14 hours
            horizon = datetime.combine(day, time()).replace(tzinfo=UTC) - timedelta(hours=15)
            pending.sort()
            while pending and pending[0][1] <= horizon:
                lo, hi = pending.pop(0)
                while pending and pending[0][0] <= hi and pending[0][1] <= horizon:
                    hi = max(hi, pending.pop(0)[1])
                if hi > start:
                    yield max(lo, start), hi

    def add_business_time(self, start: datetime, seconds: int) -> datetime:
        """The instant at which `seconds` of open time have passed since `start`."""
        if seconds <= 0:
            return start.astimezone(UTC)
        timeline = self._timeline_from(start)
        if timeline is None:
            return self._walk_add(start, seconds)
        return timeline.instant_at(timeline.open_before(start) + timedelta(seconds=seconds))

    def business_seconds_between(self, a: datetime, b: datetime) -> int:
        """Whole seconds of open time in [a, b); 0 when b is not after a."""
        if b <= a:
            return 0
        timeline = self._timeline_from(a)
        if timeline is None:
            return self._walk_between(a, b)
        return int((timeline.open_before(b) - timeline.open_before(a)).total_seconds())

    def _timeline_from(self, start: datetime) -> _Timeline | None:
        """The calendar's timeline, begun at the first instant asked about (less the lead);
        None for an instant before it, which is walked to instead."""
        if self._timeline is None:
            origin = start.astimezone(UTC) - TIMELINE_LEAD
            object.__setattr__(self, "_timeline", _Timeline(origin, self.open_periods(origin)))
        assert self._timeline is not None
        return self._timeline if start >= self._timeline.origin else None

    def _walk_add(self, start: datetime, seconds: int) -> datetime:
        remaining = timedelta(seconds=seconds)
        for lo, hi in self.open_periods(start):
            if hi - lo >= remaining:
                return lo + remaining
            remaining -= hi - lo
        raise AssertionError("open_periods never ends")  # pragma: no cover

    def _walk_between(self, a: datetime, b: datetime) -> int:
        total = timedelta()
        for lo, hi in self.open_periods(a):
            if lo >= b:
                break
            total += min(hi, b) - lo
        return int(total.total_seconds())


class _Timeline:
    """A calendar's open periods from `origin` on, each with the open time from the origin
    to its start and to its end, taken from `open_periods` as far as a question needs."""

    def __init__(self, origin: datetime, periods: Iterator[tuple[datetime, datetime]]) -> None:
        self.origin = origin
        self._periods = periods
        self.starts: list[datetime] = []
        self.ends: list[datetime] = []
        self.before: list[timedelta] = []  # open time from the origin to each start
        self.after: list[timedelta] = []  # ... and to each end

    def _grow(self) -> None:
        try:
            lo, hi = next(self._periods)
        except StopIteration:  # it raised before (no open time for years): it still has none
            raise ValueError("the schedule has no open time for more than two years") from None
        total = self.after[-1] if self.after else timedelta()
        self.starts.append(lo)
        self.ends.append(hi)
        self.before.append(total)
        self.after.append(total + (hi - lo))

    def open_before(self, at: datetime) -> timedelta:
        """Open time from the origin to `at` (not before the origin)."""
        while not self.ends or self.ends[-1] <= at:
            self._grow()
        i = bisect_right(self.ends, at)  # the first period ending after `at`
        return self.before[i] + max(timedelta(), at - self.starts[i])

    def instant_at(self, total: timedelta) -> datetime:
        """The instant at which `total` (> 0) of open time from the origin has passed."""
        while not self.after or self.after[-1] < total:
            self._grow()
        j = bisect_left(self.after, total)  # the first period by whose end it has
        return self.starts[j] + (total - self.before[j])


Calendar = BusinessCalendar | AlwaysOpen


@lru_cache(maxsize=4096)
def _day_pieces(time_zone: str, local: date) -> tuple[tuple[datetime, datetime, timedelta], ...]:
    """The UTC instants whose local date is `local`, as (from, to, UTC offset) pieces: one
    piece, or two when the offset changes that day (assumes one change at most in ~2 days)."""
    zone = ZoneInfo(time_zone)
    midnight = datetime.combine(local, time()).replace(tzinfo=UTC)
    lo, hi = midnight - timedelta(hours=15), midnight + timedelta(hours=39)
    before, after = _offset(zone, lo), _offset(zone, hi)
    day = timedelta(days=1)
    if before == after:
        return ((midnight - before, midnight + day - before, before),)
    while hi - lo > timedelta(seconds=1):  # the first second with the new offset
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if _offset(zone, mid) == before:
            lo = mid
        else:
            hi = mid
    change = hi
    pieces = []
    for a, b, offset in (
        (midnight - before, min(midnight + day - before, change), before),
        (max(midnight - after, change), midnight + day - after, after),
    ):
        if a < b:
            pieces.append((a, b, offset))
    return tuple(pieces)


def _offset(zone: ZoneInfo, at: datetime) -> timedelta:
    offset = at.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def parse_hhmm(text: str) -> int:
    """ "09:30" → 570 minutes; "24:00" is the end of the day."""
    hours, sep, minutes = text.strip().partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2:
        raise ValueError(f"{text!r} is not a time like 09:30")
    value = int(hours) * 60 + int(minutes)
    if int(minutes) > 59 or value > DAY_MINUTES:
        raise ValueError(f"{text!r} is not a time between 00:00 and 24:00")
    return value


def format_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
