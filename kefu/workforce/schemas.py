"""The workforce domain's input shapes: a queue's settings, an event, an override."""

from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kefu.tickets.schemas import Channel

MAX_MULTIPLIER = 100.0


class QueueIn(BaseModel):
    """A queue's settings as a manager enters them (create and update alike)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    channel: Channel
    team_id: int | None = None
    store_id: int | None = None
    time_zone: str = "UTC"
    country: str | None = Field(default=None, max_length=8)
    interval_minutes: Literal[15, 30] = 30
    is_active: bool = True
    service_level_target: float = Field(default=0.8, gt=0, lt=1)
    answer_within_seconds: int = Field(default=20, ge=1, le=86_400)
    asa_target_seconds: int | None = Field(default=None, ge=1, le=86_400)
    max_occupancy: float = Field(default=0.85, gt=0, le=1)
    shrinkage: float = Field(default=0.3, ge=0, lt=1)
    patience_seconds: int | None = Field(default=None, ge=1, le=86_400)
    concurrency: int = Field(default=1, ge=1, le=20)
    async_within_hours: int | None = Field(default=None, ge=1, le=24 * 30)
    aht_seconds: int | None = Field(default=None, ge=1, le=86_400)
    holiday_multiplier: float = Field(default=0.5, ge=0, le=MAX_MULTIPLIER)

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str | None) -> str | None:
        if not value:
            return None
        code = value.upper()
        if code not in holidays.list_supported_countries():
            raise ValueError(f"no public holidays known for country {value!r}")
        return code


class EventIn(BaseModel):
    """A campaign: every interval starting in [starts_at, ends_at) times `multiplier`."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200)
    queue_id: int | None = None
    starts_at: datetime
    ends_at: datetime
    multiplier: float = Field(ge=0, le=MAX_MULTIPLIER)

    @model_validator(mode="after")
    def _window(self) -> "EventIn":
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("times need a time zone")
        if self.ends_at <= self.starts_at:
            raise ValueError("the event must end after it starts")
        return self


class OverrideIn(BaseModel):
    """A manager's volume for one interval of a queue."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    start_at: datetime
    volume: float = Field(ge=0, le=1_000_000)
    note: str = Field(default="", max_length=500)

    @field_validator("start_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("the time needs a time zone")
        return value
