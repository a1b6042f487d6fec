"""What crosses the API and the forms for phone lines and calls."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kefu.kit.bounds import RowId
from kefu.kit.clock import UtcTime
from kefu.kit.i18n import N_

Direction = Literal["inbound", "outbound"]
Outcome = Literal["answered", "missed", "voicemail"]
# What an agent says came of a call (set when logging it by hand).
DISPOSITIONS: dict[str, str] = {
    "resolved": N_("Resolved on the call"),
    "follow_up": N_("Needs a follow-up"),
    "callback_requested": N_("Callback requested"),
    "left_voicemail": N_("Left a voicemail"),
    "no_answer": N_("No answer"),
    "busy": N_("Busy"),
    "wrong_number": N_("Wrong number"),
}
# Dispositions that mean nobody was reached.
NOT_REACHED = frozenset({"left_voicemail", "no_answer", "busy"})
OUTCOME_LABELS: dict[str, str] = {
    "answered": N_("Answered"),
    "missed": N_("Missed"),
    "voicemail": N_("Voicemail"),
}
DIRECTION_LABELS: dict[str, str] = {"inbound": N_("Incoming call"), "outbound": N_("Outgoing call")}
Disposition = Literal[
    "resolved",
    "follow_up",
    "callback_requested",
    "left_voicemail",
    "no_answer",
    "busy",
    "wrong_number",
]


class PhoneLineFields(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    number: str | None = Field(default=None, min_length=3, max_length=40)
    account_sid: str | None = Field(default=None, max_length=64)
    auth_token: str | None = Field(
        default=None, max_length=200, description="write-only; empty keeps the stored one"
    )
    team_id: RowId | None = None
    forward_to: str | None = Field(
        default=None,
        max_length=40,
        description="the number kefu's call flow rings first; empty: straight to voicemail",
    )
    ring_seconds: int | None = Field(default=None, ge=5, le=120)
    voicemail_greeting: str | None = Field(default=None, max_length=1000)
    is_active: bool | None = None


class PhoneLineCreate(PhoneLineFields):
    name: str = Field(min_length=1, max_length=200)
    number: str = Field(min_length=3, max_length=40)
    auth_token: str = Field(min_length=8, max_length=200)


class PhoneLineUpdate(PhoneLineFields):
    pass


class PhoneLineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    number: str
    provider: str
    account_sid: str
    team_id: int | None
    forward_to: str | None
    ring_seconds: int
    voicemail_greeting: str
    is_active: bool
    has_auth_token: bool
    webhook_urls: dict[str, str]
    last_call_at: datetime | None


class CallLog(BaseModel):
    """A call an agent logs on a ticket by hand (the form's running timer gives the
    duration)."""

    direction: Direction
    number: str = Field(min_length=3, max_length=40)
    disposition: Disposition
    notes: str = Field(default="", max_length=10_000)
    duration_seconds: int = Field(default=0, ge=0, le=86_400)
    started_at: UtcTime | None = Field(
        default=None,
        description="when the call began (2000–2100); now minus the duration when absent",
    )

    @field_validator("started_at")
    @classmethod
    def _plausible(cls, value: datetime | None) -> datetime | None:
        if value is not None and not 2000 <= value.year <= 2100:
            raise ValueError("a call's start must be between the years 2000 and 2100")
        return value


class CallRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    provider: str
    provider_call_id: str
    line_id: int | None
    direction: Direction
    from_number: str
    to_number: str
    customer_id: int | None
    agent_id: int | None
    team_id: int | None
    ticket_id: int | None
    message_id: int | None
    status: str
    outcome: Outcome | None
    started_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    duration_seconds: int | None
    disposition: str | None
    recording_url: str | None
    recording_seconds: int | None
    voicemail_transcript: str | None
    notes: str
