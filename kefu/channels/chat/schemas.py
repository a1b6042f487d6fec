"""What crosses chat's boundaries: views of chats for agents' pages, widget settings, frames."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, EmailStr, Field, field_validator

ChatStatus = Literal["assistant", "waiting", "active", "ended"]
Author = Literal["visitor", "agent", "system", "assistant"]
FieldMode = Literal["off", "optional", "required"]
PRECHAT_FIELDS = ("name", "email", "order")
DEFAULT_MAX_CHATS = 3


@dataclass(frozen=True, slots=True)
class ChatView:
    """A chat as agents' pages show it (queue rows, the ticket page's chat panel)."""

    id: int
    ticket_id: int | None
    widget_id: int
    widget_name: str
    status: ChatStatus
    visitor_name: str
    visitor_email: str | None
    customer_id: int | None
    agent_id: int | None
    agent_name: str | None
    team_id: int | None
    started_at: datetime
    accepted_at: datetime | None
    ended_at: datetime | None
    last_seq: int
    page_url: str | None
    page_title: str | None
    cart: dict[str, Any] | None
    prechat: dict[str, str] = field(default_factory=dict)
    rating: int | None = None
    rating_comment: str | None = None

    def wait_seconds(self, now: datetime) -> int:
        """How long the shopper has waited (until accepted, or until now)."""
        until = self.accepted_at or self.ended_at or now
        return max(0, int((until - self.started_at).total_seconds()))


@dataclass(frozen=True, slots=True)
class EntryView:
    """One chat entry, as the widget and the ticket page show it (see `wire()`)."""

    seq: int
    author: Author
    name: str
    body: str
    client_id: str | None
    agent_id: int | None
    message_id: int | None
    attachments: list[dict[str, Any]]
    created_at: datetime

    def wire(self) -> dict[str, Any]:
        """The protocol's `entry` frame (docs/chat.md)."""
        return {
            "type": "entry",
            "seq": self.seq,
            "client_id": self.client_id,
            "author": self.author,
            "name": self.name,
            "body": self.body,
            "attachments": [
                {k: a[k] for k in ("name", "size", "type", "url") if k in a}
                for a in self.attachments
            ],
            "at": self.created_at.isoformat(),
        }


def _origins(values: list[str]) -> list[str]:
    cleaned = []
    for raw in values:
        value = raw.strip().rstrip("/").lower()
        if not value:
            continue
        if not value.startswith(("https://", "http://")) or "/" in value.split("://", 1)[1]:
            raise ValueError(f"an allowed origin is scheme://host[:port], not {raw!r}")
        cleaned.append(value)
    return sorted(set(cleaned))


class WidgetIn(BaseModel):
    """A widget's settings, as the admin page submits them."""

    name: str = Field(min_length=1, max_length=200)
    store_id: int | None = Field(default=None, ge=1)
    allowed_origins: list[str] = Field(default_factory=list, max_length=50)
    team_id: int | None = Field(default=None, ge=1)
    business_schedule_id: int | None = Field(default=None, ge=1)
    offline_when_nobody_online: bool = True
    prechat_fields: dict[str, FieldMode] = Field(
        default_factory=lambda: {"name": "optional", "email": "optional", "order": "off"}
    )
    greeting: dict[str, str] = Field(default_factory=dict)
    colour: str = Field(default="#2563eb", pattern=r"^#[0-9a-fA-F]{6}$")
    assistant_first: bool = False
    is_active: bool = True

    _clean_origins = field_validator("allowed_origins")(_origins)

    @field_validator("prechat_fields")
    @classmethod
    def _known_fields(cls, value: dict[str, str]) -> dict[str, str]:
        unknown = set(value) - set(PRECHAT_FIELDS)
        if unknown:
            raise ValueError(f"unknown pre-chat fields: {', '.join(sorted(unknown))}")
        return {name: value.get(name, "off") for name in PRECHAT_FIELDS}

    @field_validator("greeting")
    @classmethod
    def _greeting(cls, value: dict[str, str]) -> dict[str, str]:
        if set(value) - {"en", "zh"}:
            raise ValueError("greetings are in en and zh")
        if any(len(text) > 500 for text in value.values()):
            raise ValueError("a greeting is at most 500 characters")
        return {k: v.strip() for k, v in value.items() if v.strip()}


class PrechatIn(BaseModel):
    name: str = Field(default="", max_length=200)
    email: EmailStr | None = None
    order: str = Field(default="", max_length=100)


class OfflineMessageIn(BaseModel):
    name: str = Field(default="", max_length=200)
    email: EmailStr
    body: str = Field(min_length=1, max_length=20_000)


class PageContext(BaseModel):
    url: str | None = Field(default=None, max_length=2000)
    title: str | None = Field(default=None, max_length=500)
