"""The rules' tables: triggers and automations, webhooks and their deliveries, the log of
what fired, the automations' once-per-ticket ledger and the trigger chains (loop guard)."""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Audited, Base, BigId, JsonDoc, UtcDateTime
from kefu.kit.clock import utcnow


class Rule(Audited, Base):
    """A trigger (`kind` "trigger": runs on the `events` it listens to) or a time-based
    automation (`kind` "automation": the hourly job). `conditions` is {"all": [...],
    "any": [...]} of {"field", "op", "value"}; `actions` a list of {"type", ...}
    (kefu.automation.rules.actions). Triggers run in `position` order."""

    __tablename__ = "rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    events: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    conditions: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (Index(None, "kind", "is_active", "position"),)


class RuleWebhook(Audited, Base):
    """An outgoing webhook a rule may call: its URL and the HMAC secret (encrypted with the
    instance key, never in the audit log)."""

    __tablename__ = "rule_webhooks"
    __audit_redact__ = frozenset({"secret_enc"})

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    url: Mapped[str] = mapped_column(String(1000))
    secret_enc: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class WebhookDelivery(Base):
    """One call of a webhook: pending until the endpoint answers 2xx, retried with backoff,
    failed after the last attempt. `body` is the JSON sent (the same bytes every attempt)."""

    __tablename__ = "rule_webhook_deliveries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    webhook_id: Mapped[int] = mapped_column(ForeignKey("rule_webhooks.id", ondelete="CASCADE"))
    rule_id: Mapped[int | None] = mapped_column(ForeignKey("rules.id", ondelete="SET NULL"))
    ticket_id: Mapped[int | None] = mapped_column(BigId)
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    response_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index(None, "status", "next_attempt_at"),
        Index(None, "webhook_id", "id"),
    )


class RuleRun(Base):
    """A rule that fired (or failed) on a ticket: for a trigger once per event, which makes
    the outbox handler idempotent; `summary` lists what its actions did."""

    __tablename__ = "rule_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("rules.id", ondelete="CASCADE"))
    ticket_id: Mapped[int] = mapped_column(BigId)
    event_id: Mapped[int | None] = mapped_column(BigId)
    outcome: Mapped[str] = mapped_column(String(10))  # fired | failed
    summary: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("rule_id", "event_id", "ticket_id"),
        Index(None, "rule_id", "id"),
        Index(None, "ticket_id", "id"),
    )


class AutomationMark(Base):
    """The automation acted on the ticket; removed when the ticket leaves its conditions
    (the rule re-arms), so it acts again only after the ticket comes back."""

    __tablename__ = "rule_automation_marks"

    rule_id: Mapped[int] = mapped_column(
        ForeignKey("rules.id", ondelete="CASCADE"), primary_key=True
    )
    ticket_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class TriggerChain(Base):
    """The triggers whose changes led to this event (the loop guard): none of them fires on
    it again."""

    __tablename__ = "rule_trigger_chains"

    event_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    rule_ids: Mapped[list[int]] = mapped_column(JsonDoc, default=list)


class TicketClock(Base):
    """When a ticket became pending and when its customer last wrote: the times automations
    measure that the tickets table does not keep."""

    __tablename__ = "rule_ticket_clocks"

    ticket_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    pending_since: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    last_customer_message_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
