"""Phone lines (a number at a provider, its signing secret) and the record of every call."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Audited, Base, BigId, UtcDateTime
from kefu.kit.clock import utcnow


class PhoneLine(Audited, Base):
    """A support number at a provider. The provider signs its webhooks with the line's auth
    token (encrypted at rest with kefu.kit.secretbox); `webhook_key` is the random path part
    of the line's webhook URLs, so each request names its line before it is verified."""

    __tablename__ = "phone_lines"
    __audit_redact__ = frozenset({"auth_token_enc"})
    __audit_ignore__ = frozenset({"updated_at", "last_call_at"})

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    number: Mapped[str] = mapped_column(String(20), unique=True)  # E.164
    provider: Mapped[str] = mapped_column(String(20), default="twilio")
    account_sid: Mapped[str] = mapped_column(String(64), default="")
    auth_token_enc: Mapped[str | None] = mapped_column(Text)
    webhook_key: Mapped[str] = mapped_column(String(40), unique=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    forward_to: Mapped[str | None] = mapped_column(String(20))  # E.164: who answers live
    ring_seconds: Mapped[int] = mapped_column(Integer, default=20)
    voicemail_greeting: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    last_call_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class Call(Audited, Base):
    """One phone call, from the provider's callbacks or logged by an agent.

    (provider, provider_call_id) is unique, so a replayed callback updates the same record.
    `outcome` is kefu's reading of the call (answered | missed | voicemail); `status` is the
    provider's last word (ringing, in-progress, completed, busy, no-answer, ...).
    `message_id` is the call's entry in the ticket's conversation, written once the outcome
    is known."""

    __tablename__ = "calls"
    __audit_ignore__ = frozenset({"updated_at"})

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(String(20))  # twilio | manual
    provider_call_id: Mapped[str] = mapped_column(String(64))
    line_id: Mapped[int | None] = mapped_column(
        ForeignKey("phone_lines.id", ondelete="SET NULL"), index=True
    )
    direction: Mapped[str] = mapped_column(String(10))  # inbound | outbound
    from_number: Mapped[str] = mapped_column(String(40))
    to_number: Mapped[str] = mapped_column(String(40))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), index=True
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="SET NULL"), unique=True
    )
    status: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(10))
    is_routed: Mapped[bool] = mapped_column(default=False)  # kefu's call flow answered it
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    disposition: Mapped[str | None] = mapped_column(String(30))
    recording_url: Mapped[str | None] = mapped_column(String(1000))
    recording_seconds: Mapped[int | None] = mapped_column(Integer)
    voicemail_transcript: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("provider", "provider_call_id"),
        Index(None, "started_at"),
    )
