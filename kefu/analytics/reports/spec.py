"""What a report shows: the date range (a preset or two dates), the time zone and the
filters, read from a page's query string or a saved report's JSON, refused with a reason
when a value makes no sense."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kefu.analytics.reports.periods import (
    PRESETS,
    DayRange,
    custom_range,
    local_today,
    preset_range,
    zone,
)
from kefu.errors import InvalidInput
from kefu.kit.i18n import gettext as _
from kefu.kit.tags import normalize_tag
from kefu.tickets.schemas import Channel, TicketType

FIELDS = (
    "range",
    "since",
    "until",
    "time_zone",
    "store_id",
    "channel",
    "team_id",
    "agent_id",
    "tag",
    "type",
    "intent",
)
NARROWING = ("store_id", "channel", "team_id", "agent_id", "tag", "type", "intent")


class ReportSpec(BaseModel):
    """Saved reports store this as JSON, so the field names are part of the format."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    range: str = "last_30"
    since: date | None = None
    until: date | None = None
    time_zone: str | None = Field(default=None, max_length=64)
    store_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    channel: Channel | None = None
    team_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    agent_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    tag: str | None = Field(default=None, max_length=100)
    type: TicketType | None = None
    intent: str | None = Field(default=None, max_length=60)

    @field_validator("range")
    @classmethod
    def _range(cls, value: str) -> str:
        if value not in PRESETS:
            raise ValueError(f"use one of {', '.join(PRESETS)}")
        return value

    @field_validator("tag")
    @classmethod
    def _tag(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return normalize_tag(value)
        except InvalidInput as exc:
            raise ValueError(exc.message) from None

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            zone(value)
        return value

    def days(self, *, now: datetime, time_zone: str) -> DayRange:
        if self.range == "custom":
            if self.since is None or self.until is None:
                raise InvalidInput(_("a custom range needs a start and an end date"))
            return custom_range(self.since, self.until)
        return preset_range(self.range, today=local_today(now, time_zone))

    def query(self, **changes: Any) -> str:
        """The query string that shows this spec (with `changes`), for links and forms."""
        values = {**self.model_dump(mode="json", exclude_defaults=True), **changes}
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})

    def narrowed(self) -> dict[str, Any]:
        return {k: v for k in NARROWING if (v := getattr(self, k)) is not None}


def validation_reason(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "filter"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


def spec_from(values: Mapping[str, Any]) -> ReportSpec:
    """A spec from a query string or JSON: empty values mean "any"; two dates without a
    range mean a custom range."""
    picked = {k: v for k in FIELDS if (v := values.get(k)) not in (None, "")}
    if ("since" in picked or "until" in picked) and "range" not in picked:
        picked["range"] = "custom"
    try:
        return ReportSpec.model_validate(picked)
    except ValidationError as exc:
        raise InvalidInput(
            _("bad report filter: %(reason)s", reason=validation_reason(exc))
        ) from None
