"""What crosses into scheduling's services: templates, profiles, rules, rosters, shifts and
requests, each checked so a bad value is refused with its reason."""

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field, field_validator, model_validator

from kefu.kit.clock import UtcTime
from kefu.kit.i18n import N_

DAY_MINUTES = 24 * 60


class BreakKind(StrEnum):
    BREAK = "break"
    LUNCH = "lunch"


BREAK_LABELS = {BreakKind.BREAK: N_("Break"), BreakKind.LUNCH: N_("Lunch")}


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    CANCELLED = "cancelled"


REQUEST_STATUS_LABELS = {
    RequestStatus.PENDING: N_("Pending"),
    RequestStatus.APPROVED: N_("Approved"),
    RequestStatus.DENIED: N_("Denied"),
    RequestStatus.CANCELLED: N_("Cancelled"),
}


class RosterStatus(StrEnum):
    DRAFT = "draft"
    GENERATING = "generating"
    PUBLISHED = "published"


ROSTER_STATUS_LABELS = {
    RosterStatus.DRAFT: N_("Draft"),
    RosterStatus.GENERATING: N_("Generating"),
    RosterStatus.PUBLISHED: N_("Published"),
}


class BreakRuleIn(BaseModel):
    """A break in a template: its length and the window (minutes after the shift's start)
    in which it begins."""

    kind: BreakKind = BreakKind.BREAK
    minutes: int = Field(ge=5, le=120)
    earliest: int = Field(ge=0, le=DAY_MINUTES)
    latest: int = Field(ge=0, le=DAY_MINUTES)

    @model_validator(mode="after")
    def _window(self) -> "BreakRuleIn":
        if self.latest < self.earliest:
            raise ValueError("a break's latest start is before its earliest")
        return self


class ShiftTemplateIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    start_minutes: list[int] = Field(min_length=1, max_length=96)
    length_minutes: int = Field(ge=60, le=16 * 60)
    breaks: list[BreakRuleIn] = Field(default_factory=list, max_length=6)
    weekdays: list[int] = Field(default_factory=lambda: list(range(7)), min_length=1)
    is_active: bool = True

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a template needs a name")
        return value.strip()

    @field_validator("start_minutes")
    @classmethod
    def _starts(cls, value: list[int]) -> list[int]:
        if any(not 0 <= m < DAY_MINUTES for m in value):
            raise ValueError("start times are between 00:00 and 23:59")
        return sorted(set(value))

    @field_validator("weekdays")
    @classmethod
    def _template_weekdays(cls, value: list[int]) -> list[int]:
        if any(not 0 <= d <= 6 for d in value):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        return sorted(set(value))

    @model_validator(mode="after")
    def _breaks_inside(self) -> "ShiftTemplateIn":
        self.breaks.sort(key=lambda b: b.earliest)
        previous_end = 0
        for item in self.breaks:
            if item.latest + item.minutes > self.length_minutes:
                raise ValueError("a break must end before the shift does")
            if item.earliest < previous_end:
                raise ValueError("the windows of two breaks overlap")
            previous_end = item.latest + item.minutes
        if sum(b.minutes for b in self.breaks) >= self.length_minutes:
            raise ValueError("the breaks take the whole shift")
        return self


class AvailabilityIn(BaseModel):
    weekday: int = Field(ge=0, le=6)
    start: int = Field(ge=0, le=DAY_MINUTES)
    end: int = Field(ge=0, le=DAY_MINUTES)

    @model_validator(mode="after")
    def _order(self) -> "AvailabilityIn":
        if self.end <= self.start:
            raise ValueError("availability must end after it starts")
        return self


class WorkProfileIn(BaseModel):
    queue_ids: list[int] = Field(default_factory=list)
    min_hours_week: int = Field(default=0, ge=0, le=80)
    max_hours_week: int = Field(default=40, ge=0, le=80)
    availability: list[AvailabilityIn] = Field(default_factory=list)
    preferred_template_ids: list[int] = Field(default_factory=list)
    forbidden_template_ids: list[int] = Field(default_factory=list)
    preferred_days_off: list[int] = Field(default_factory=list)
    forbidden_days: list[int] = Field(default_factory=list)
    is_scheduled: bool = True

    @field_validator("preferred_days_off", "forbidden_days")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if any(not 0 <= d <= 6 for d in value):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        return sorted(set(value))

    @model_validator(mode="after")
    def _hours(self) -> "WorkProfileIn":
        if self.min_hours_week > self.max_hours_week:
            raise ValueError("minimum hours exceed maximum hours")
        if set(self.preferred_template_ids) & set(self.forbidden_template_ids):
            raise ValueError("a template cannot be both preferred and forbidden")
        return self


class LabourRulesIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    max_hours_day: int = Field(default=10, ge=1, le=24)
    max_hours_week: int = Field(default=40, ge=1, le=100)
    min_rest_hours: int = Field(default=11, ge=0, le=24)
    max_consecutive_days: int = Field(default=6, ge=1, le=28)
    min_days_off_week: int = Field(default=2, ge=0, le=6)
    fair_nights: bool = True
    fair_weekends: bool = True
    max_nights_per_week: int | None = Field(default=None, ge=0, le=7)
    max_weekends_worked: int | None = Field(default=None, ge=0, le=4)


class RosterIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    start_date: date
    days: int = Field(default=7, ge=1, le=28)
    queue_ids: list[int] = Field(min_length=1)
    rules_id: int | None = None


class ShiftIn(BaseModel):
    """A shift placed or moved by hand; breaks are kept inside it."""

    agent_id: int
    start_at: UtcTime
    end_at: UtcTime
    queue_id: int | None = None

    @model_validator(mode="after")
    def _length(self) -> "ShiftIn":
        minutes = (self.end_at - self.start_at).total_seconds() / 60
        if minutes < 15:
            raise ValueError("a shift ends at least 15 minutes after it starts")
        if minutes > 16 * 60:
            raise ValueError("a shift is at most 16 hours")
        return self


class TimeOffIn(BaseModel):
    """Whole local days off, first to last inclusive."""

    first_day: date
    last_day: date
    reason: str = Field(default="", max_length=1000)

    @model_validator(mode="after")
    def _order(self) -> "TimeOffIn":
        if self.last_day < self.first_day:
            raise ValueError("the last day is before the first")
        if (self.last_day - self.first_day).days > 60:
            raise ValueError("ask for at most 61 days at once")
        return self


class SwapIn(BaseModel):
    shift_id: int
    other_agent_id: int
    other_shift_id: int | None = None
    reason: str = Field(default="", max_length=1000)


class DecisionIn(BaseModel):
    approve: bool
    note: str = Field(default="", max_length=1000)
