"""What crosses the API (and the editor) for business-hours schedules and SLA policies."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kefu.errors import InvalidInput
from kefu.kit.bounds import RowId
from kefu.kit.i18n import TimeZoneName
from kefu.kit.tags import normalize_tag
from kefu.sla.calendar import format_hhmm, parse_hhmm
from kefu.tickets.schemas import Channel, Priority, TicketType

Metric = Literal["first_reply", "next_reply", "periodic_update", "resolution"]
METRICS: tuple[str, ...] = Metric.__args__  # type: ignore[attr-defined]
Hours = Literal["calendar", "business"]
PauseStatus = Literal["pending", "on_hold"]
MAX_TARGET_MINUTES = 366 * 24 * 60  # a year


class IntervalIn(BaseModel):
    """Open on `weekday` (0 = Monday … 6 = Sunday) from `start` to `end`, "HH:MM" local time;
    "24:00" ends at midnight. An interval never crosses midnight: split a night shift."""

    model_config = ConfigDict(extra="forbid")

    weekday: int = Field(ge=0, le=6)
    start: str = Field(examples=["09:00"])
    end: str = Field(examples=["18:00"])

    @model_validator(mode="after")
    def _in_order(self) -> "IntervalIn":
        start, end = parse_hhmm(self.start), parse_hhmm(self.end)
        if end <= start:
            raise ValueError(
                f"{self.start}–{self.end} ends before it starts; an interval cannot cross "
                "midnight, so split a night shift in two (22:00–24:00 and 00:00–06:00)"
            )
        self.start, self.end = format_hhmm(start), format_hhmm(end)
        return self

    @property
    def minutes(self) -> tuple[int, int]:
        return parse_hhmm(self.start), parse_hhmm(self.end)


class HolidayIn(BaseModel):
    """A closed day: "2026-12-24" once, or "12-25" every year."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(default="", max_length=200)
    on: str = Field(examples=["12-25", "2026-12-24"])

    @field_validator("on")
    @classmethod
    def _day(cls, value: str) -> str:
        value = value.strip()
        try:
            if len(value) == 5:
                date.fromisoformat(f"2024-{value}")  # a leap year lets 02-29 through
            else:
                date.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a day like 2026-12-24 (once) or 12-25 (every year)"
            ) from None
        return value

    @property
    def parts(self) -> tuple[int, int, int | None]:
        if len(self.on) == 5:
            return int(self.on[:2]), int(self.on[3:]), None
        day = date.fromisoformat(self.on)
        return day.month, day.day, day.year


class ScheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    time_zone: TimeZoneName = Field(examples=["Europe/London"])
    intervals: list[IntervalIn] = Field(max_length=7 * 12)
    holidays: list[HolidayIn] = Field(default_factory=list, max_length=400)
    is_default: bool = False
    team_ids: list[RowId] = Field(default_factory=list, max_length=200)
    store_ids: list[RowId] = Field(default_factory=list, max_length=200)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a schedule needs a name")
        return value.strip()

    @field_validator("intervals")
    @classmethod
    def _some_open_time(cls, value: list[IntervalIn]) -> list[IntervalIn]:
        if not value:
            raise ValueError("a schedule needs at least one open interval")
        return value


class ScheduleRead(BaseModel):
    id: int
    name: str
    time_zone: str
    intervals: list[IntervalIn]
    holidays: list[HolidayIn]
    is_default: bool
    team_ids: list[int]
    store_ids: list[int]


class PolicyConditions(BaseModel):
    """Which tickets a policy is for; an empty list (or null vip) means "any"."""

    model_config = ConfigDict(extra="forbid")

    priorities: list[Priority] = Field(default_factory=list, max_length=len(Priority))
    channels: list[Channel] = Field(default_factory=list, max_length=len(Channel))
    types: list[TicketType] = Field(default_factory=list, max_length=len(TicketType))
    store_ids: list[RowId] = Field(default_factory=list, max_length=200)
    vip: bool | None = None
    customer_tags: list[str] = Field(default_factory=list, max_length=50)

    @field_validator("customer_tags")
    @classmethod
    def _tags(cls, values: list[str]) -> list[str]:
        try:
            return list(dict.fromkeys(normalize_tag(value) for value in values))
        except InvalidInput as exc:
            raise ValueError(exc.message) from None


Targets = dict[Metric, dict[Priority, int]]


class PolicyIn(BaseModel):
    """`targets` in minutes per metric and priority: {"first_reply": {"urgent": 30, ...}}; a
    priority left out of a metric has no target for that metric."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    is_active: bool = True
    conditions: PolicyConditions = Field(default_factory=PolicyConditions)
    targets: Targets
    hours: Hours = "business"
    pause_statuses: list[PauseStatus] = Field(default_factory=lambda: ["pending", "on_hold"])
    warn_minutes: int = Field(default=0, ge=0, le=MAX_TARGET_MINUTES)
    position: int | None = Field(default=None, ge=0, le=10_000)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a policy needs a name")
        return value.strip()

    @field_validator("targets")
    @classmethod
    def _targets(cls, targets: Targets) -> Targets:
        kept: Targets = {}
        for metric, by_priority in targets.items():
            for priority, minutes in by_priority.items():
                if minutes <= 0:
                    raise ValueError(
                        f"the {metric} target for {priority} is {minutes} minutes; "
                        "a target is a whole number of minutes above zero"
                    )
                if minutes > MAX_TARGET_MINUTES:
                    raise ValueError(f"the {metric} target for {priority} is over a year")
            if by_priority:
                kept[metric] = dict(by_priority)
        if not kept:
            raise ValueError("a policy needs at least one target (first reply, next reply, …)")
        return kept

    @field_validator("pause_statuses")
    @classmethod
    def _unique(cls, values: list[str]) -> list[str]:
        return list(dict.fromkeys(values))


class PolicyRead(BaseModel):
    id: int
    name: str
    position: int
    is_active: bool
    conditions: PolicyConditions
    targets: dict[str, dict[str, int]]
    hours: Hours
    pause_statuses: list[str]
    warn_minutes: int
