"""The report filter every analytics query takes, and its time bounds."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from kefu.errors import InvalidInput
from kefu.kit.clock import as_utc
from kefu.kit.i18n import gettext as _

MAX_DAYS = 3 * 366

# filter field -> rollup dimension
FILTER_DIMS = (
    ("store_id", "store"),
    ("channel", "channel"),
    ("team_id", "team"),
    ("agent_id", "agent"),
    ("tag", "tag"),
    ("type", "type"),
    ("intent", "intent"),
)


@dataclass(frozen=True, slots=True)
class ReportFilter:
    """A date range (`until` inclusive, days in `time_zone`) and optional narrowing."""

    since: date
    until: date
    time_zone: str = "UTC"
    store_id: int | None = None
    channel: str | None = None
    team_id: int | None = None
    agent_id: int | None = None
    tag: str | None = None
    type: str | None = None
    intent: str | None = None

    def __post_init__(self) -> None:
        if self.until < self.since:
            raise InvalidInput(_("the end of the range is before its start"))
        if (self.until - self.since).days >= MAX_DAYS:
            raise InvalidInput(_("a report covers at most three years"))
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(_("unknown time zone: %(zone)s", zone=self.time_zone)) from None

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def previous_period(self) -> ReportFilter:
        """The same number of days just before this range, with the same narrowing."""
        span = timedelta(days=self.days)
        return replace(self, since=self.since - span, until=self.until - span)

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) in UTC."""
        zone = ZoneInfo(self.time_zone)
        first = datetime.combine(self.since, time.min, tzinfo=zone)
        after = datetime.combine(self.until + timedelta(days=1), time.min, tzinfo=zone)
        return as_utc(first), as_utc(after)

    def narrowing(self) -> list[tuple[str, str]]:
        """(dimension, key) of each filter set, e.g. [("team", "3")]."""
        found = []
        for field_name, dim in FILTER_DIMS:
            value = getattr(self, field_name)
            if value is not None and value != "":
                found.append((dim, str(value)))
        return found
