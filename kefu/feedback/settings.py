"""Survey settings: one row, read with defaults before anyone saved it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator
from sqlalchemy.orm import Session

from kefu.feedback.models import FeedbackSettings
from kefu.kit.actor import Actor
from kefu.permissions import require

CHANNELS = ("email", "web", "chat", "phone", "api")
DEFAULT_REASONS = [
    {"key": "slow", "en": "The answer took too long", "zh": "回复太慢"},
    {"key": "unsolved", "en": "My problem is not solved", "zh": "问题没有解决"},
    {"key": "unfriendly", "en": "The agent was unfriendly", "zh": "客服态度不好"},
    {"key": "policy", "en": "I do not agree with the policy", "zh": "不认同店铺政策"},
]


class Reason(BaseModel):
    key: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9_-]+$")
    en: str = Field(min_length=1, max_length=200)
    zh: str = Field(min_length=1, max_length=200)


class FeedbackSettingsIn(BaseModel):
    csat_enabled: bool = False
    csat_delay_minutes: int = Field(default=60, ge=0, le=60 * 24 * 30)
    csat_channels: list[Literal["email", "web", "chat", "phone", "api"]] = Field(
        default_factory=lambda: ["email"]
    )
    csat_scale: Literal["good_bad", "five"] = "good_bad"
    csat_reasons: list[Reason] = Field(default_factory=list, max_length=20)
    link_days: int = Field(default=14, ge=1, le=365)
    nps_detractor_ticket: bool = False

    @field_validator("csat_reasons")
    @classmethod
    def _unique_keys(cls, reasons: list[Reason]) -> list[Reason]:
        keys = [r.key for r in reasons]
        if len(keys) != len(set(keys)):
            raise ValueError("each reason needs its own key")
        return reasons


def get_settings(session: Session) -> FeedbackSettings:
    """The saved settings, or the defaults (survey off) as an unsaved row."""
    row = session.get(FeedbackSettings, 1)
    if row is not None:
        return row
    return FeedbackSettings(
        id=1,
        csat_enabled=False,
        csat_delay_minutes=60,
        csat_channels=["email"],
        csat_scale="good_bad",
        csat_reasons=list(DEFAULT_REASONS),
        link_days=14,
        nps_detractor_ticket=False,
    )


def save_settings(session: Session, *, actor: Actor, data: FeedbackSettingsIn) -> FeedbackSettings:
    require(actor, "rules.manage")
    row = session.get(FeedbackSettings, 1)
    if row is None:
        row = FeedbackSettings(id=1)
        session.add(row)
    values = data.model_dump()
    for name, value in values.items():
        setattr(row, name, value)
    session.flush()
    return row


def reason_label(row: FeedbackSettings, key: str | None, language: str) -> str:
    for reason in row.csat_reasons or []:
        if reason.get("key") == key:
            return reason.get("zh" if language.startswith("zh") else "en") or key or ""
    return key or ""
