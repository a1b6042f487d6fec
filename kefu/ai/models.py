"""The ai domain's tables: what was read from each customer message and each ticket, the
messages waiting to be read, the store's intent taxonomy, trained models and the switches."""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Audited, Base, BigId, JsonDoc, UtcDateTime
from kefu.kit.clock import utcnow


class MessageAnalysis(Base):
    """What the models read from one customer message (a feature switched off leaves its
    columns empty). `model_version` names the intent model that answered."""

    __tablename__ = "ai_message_analyses"

    message_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("tickets.id", ondelete="CASCADE"))
    intent: Mapped[str | None] = mapped_column(String(64))
    intent_confidence: Mapped[float | None] = mapped_column(Float)
    language: Mapped[str] = mapped_column(String(8))
    sentiment: Mapped[str | None] = mapped_column(String(10))
    negative_probability: Mapped[float | None] = mapped_column(Float)
    urgency: Mapped[str | None] = mapped_column(String(10))
    urgency_reasons: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    model_version: Mapped[str] = mapped_column(String(40), default="")
    analysed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (Index(None, "ticket_id", "message_id"), Index(None, "intent"))


class TicketInsight(Audited, Base):
    """The ticket's current reading, from its latest analysed customer message. An intent
    an agent set (`intent_source` "agent") is kept over the model's later answers and is a
    training label for the text of `label_message_id`."""

    __tablename__ = "ai_ticket_insights"
    __audit_ignore__ = frozenset({"updated_at", "message_id", "intent_confidence",
                                  "negative_probability", "urgency_reasons"})  # fmt: skip

    ticket_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    message_id: Mapped[int | None] = mapped_column(BigId)
    intent: Mapped[str | None] = mapped_column(String(64))
    intent_confidence: Mapped[float | None] = mapped_column(Float)
    intent_source: Mapped[str] = mapped_column(String(10), default="model")
    intent_set_by: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    label_message_id: Mapped[int | None] = mapped_column(BigId)
    labelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    language: Mapped[str | None] = mapped_column(String(8))
    sentiment: Mapped[str | None] = mapped_column(String(10))
    negative_probability: Mapped[float | None] = mapped_column(Float)
    urgency: Mapped[str | None] = mapped_column(String(10))
    urgency_reasons: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (Index(None, "intent_source", "intent"),)


class PendingAnalysis(Base):
    """A customer message waiting for the reading job (the message.added handler only
    queues it, so ingest and the other handlers never wait for a model)."""

    __tablename__ = "ai_pending_analyses"

    message_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(BigId)
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class IntentDefinition(Audited, Base):
    """One intent of the store's taxonomy (the default one until an admin edits it):
    names in English and Chinese, a description, seed examples [{"text", "language"}]."""

    __tablename__ = "ai_intents"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    examples: Mapped[list[dict[str, str]]] = mapped_column(JsonDoc, default=list)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class IntentModel(Base):
    """A trained intent classifier: the fitted model (pickled, signed with the instance
    key: a row changed by anyone else is refused), what it learned from and its measures
    on the held-out part of the store's labelled tickets. The newest is the live one."""

    __tablename__ = "ai_intent_models"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[str] = mapped_column(String(40), unique=True)
    trained_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    trained_by: Mapped[str] = mapped_column(String(120), default="")
    seed_rows: Mapped[int] = mapped_column(Integer, default=0)
    labelled_rows: Mapped[int] = mapped_column(Integer, default=0)
    held_out_rows: Mapped[int] = mapped_column(Integer, default=0)
    threshold: Mapped[float] = mapped_column(Float, default=0.0)
    metrics: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    blob: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    signature: Mapped[str] = mapped_column(String(64))


class AiSettings(Audited, Base):
    """The admin's switches, one row (id 1); without it every offline feature is on and the
    endpoint off."""

    __tablename__ = "ai_settings"
    __audit_redact__ = frozenset({"endpoint_key"})  # the log says it changed, never its value

    id: Mapped[int] = mapped_column(primary_key=True)
    intent: Mapped[bool] = mapped_column(Boolean, default=True)
    sentiment: Mapped[bool] = mapped_column(Boolean, default=True)
    urgency: Mapped[bool] = mapped_column(Boolean, default=True)
    suggestions: Mapped[bool] = mapped_column(Boolean, default=True)
    summaries: Mapped[bool] = mapped_column(Boolean, default=True)
    assistant: Mapped[bool] = mapped_column(Boolean, default=True)
    endpoint: Mapped[bool] = mapped_column(Boolean, default=False)
    endpoint_url: Mapped[str] = mapped_column(String(500), default="")
    endpoint_model: Mapped[str] = mapped_column(String(200), default="")
    # the endpoint's API key, encrypted with the instance key (kefu.kit.secretbox); "" none
    endpoint_key: Mapped[str] = mapped_column(Text, default="")
    endpoint_timeout_seconds: Mapped[int] = mapped_column(Integer, default=30)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


from kefu.ai.trends_models import MessageVector, TrendSnapshot, TrendTopic  # noqa: E402

__all__ = ["MessageVector", "TrendSnapshot", "TrendTopic"]
