"""Live chat's tables: widgets on stores, their visitors, chats and each chat's entries."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Audited, Base, BigId, JsonDoc, UtcDateTime
from kefu.kit.clock import utcnow


class ChatWidget(Audited, Base):
    """A chat widget a store embeds with one script tag (`data-widget` = public_key).

    `secret_enc` is the HMAC key the store signs shopper identities with, encrypted with the
    instance key (kefu.kit.secretbox). `allowed_origins`: ["https://shop.example", …]; empty
    accepts any origin (the settings page warns). `business_schedule_id`: kefu.sla business
    hours (null = always open). `prechat_fields`: {"name"|"email"|"order": "off" | "optional"
    | "required"}. `greeting`: {"en": "…", "zh": "…"}."""

    __tablename__ = "chat_widgets"
    __audit_redact__ = frozenset({"secret_enc"})

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id", ondelete="SET NULL"))
    public_key: Mapped[str] = mapped_column(String(64), unique=True)
    secret_enc: Mapped[str] = mapped_column(Text)
    allowed_origins: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    business_schedule_id: Mapped[int | None] = mapped_column(
        ForeignKey("business_schedules.id", ondelete="SET NULL")
    )
    offline_when_nobody_online: Mapped[bool] = mapped_column(Boolean, default=True)
    prechat_fields: Mapped[dict[str, str]] = mapped_column(JsonDoc, default=dict)
    greeting: Mapped[dict[str, str]] = mapped_column(JsonDoc, default=dict)
    colour: Mapped[str] = mapped_column(String(20), default="#2563eb")
    # the help-center assistant answers a new chat first (kefu.channels.chat.assistant_bridge)
    assistant_first: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class ChatVisitor(Base):
    """A browser that opened a widget: it keeps a random token in localStorage; only the
    token's SHA-256 is stored. `external_id` is the store's customer id from a signed
    identity; `customer_id` is set once the visitor is known (identity, pre-chat email or
    their first message)."""

    __tablename__ = "chat_visitors"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    widget_id: Mapped[int] = mapped_column(ForeignKey("chat_widgets.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (Index(None, "widget_id", "external_id"),)


class Chat(Audited, Base):
    """One live conversation: the chat side of a ticket (channel "chat").

    waiting → active (an agent accepted) → ended; a widget whose assistant answers first
    starts it as assistant → waiting (handed over) or ended (the assistant was enough).
    `last_seq` is the highest entry seq; the row is locked (FOR UPDATE on PostgreSQL, the
    write lock on SQLite) while an entry is added, so seqs are 1, 2, 3 … without gaps or
    repeats across processes."""

    __tablename__ = "chats"
    __audit_ignore__ = frozenset({"last_seq", "updated_at", "transcript_sent_at"})

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    widget_id: Mapped[int] = mapped_column(ForeignKey("chat_widgets.id", ondelete="CASCADE"))
    visitor_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("chat_visitors.id", ondelete="CASCADE"), index=True
    )
    ticket_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("tickets.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(10), default="waiting")
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    page_url: Mapped[str | None] = mapped_column(String(2000))
    page_title: Mapped[str | None] = mapped_column(String(500))
    cart: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
    prechat: Mapped[dict[str, str]] = mapped_column(JsonDoc, default=dict)
    locale: Mapped[str] = mapped_column(String(10), default="en")  # the widget's language
    transcript_to: Mapped[str | None] = mapped_column(String(320))
    transcript_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (Index(None, "status", "started_at"), Index(None, "agent_id", "status"))


class ChatEntry(Base):
    """One line of a chat as the widget shows it, numbered by `seq` within the chat.

    Visitor and agent entries point at their ticket message; system entries ("Ada joined")
    have none. `client_id` makes a visitor's send idempotent: the same id sent again after a
    reconnect finds the first entry."""

    __tablename__ = "chat_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    chat_id: Mapped[int] = mapped_column(BigId, ForeignKey("chats.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(10))  # visitor | agent | system | assistant
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    client_id: Mapped[str | None] = mapped_column(String(64))
    message_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("messages.id", ondelete="SET NULL"), unique=True
    )
    body: Mapped[str] = mapped_column(Text, default="")
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("chat_id", "seq"),
        UniqueConstraint("chat_id", "client_id"),
    )


class ChatUpload(Base):
    """A file a visitor uploaded, waiting to be sent with a message (then `message_id`).
    The bytes are in the file store under `sha256`, like every ticket attachment."""

    __tablename__ = "chat_uploads"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    visitor_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("chat_visitors.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)  # the id the widget sees
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ChatAgentLimit(Audited, Base):
    """How many active chats an agent takes at once (no row = DEFAULT_MAX_CHATS)."""

    __tablename__ = "chat_agent_limits"

    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )
    max_chats: Mapped[int] = mapped_column(Integer, default=3)
