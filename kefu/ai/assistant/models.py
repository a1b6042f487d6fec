"""The assistant's tables: each conversation a visitor has with it and its turns. Orders,
articles and tickets belong to their domains and are referred to by id only."""

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Base, BigId, UtcDateTime
from kefu.kit.clock import utcnow


class AssistantConversation(Base):
    """One visitor's conversation, known by the sha256 of the random token their browser
    keeps (or, in a chat widget, by its `chat_id`). `status` open | handed_over. `order_id`
    is set once the visitor proved the order is theirs (order number + the order's email, or
    a one-time code mailed to the order's address); `answered` counts the answers given from
    an article or an order, `failed_checks` the refused verifications."""

    __tablename__ = "assistant_conversations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    language: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="open")
    order_id: Mapped[int | None] = mapped_column(BigId)
    email: Mapped[str | None] = mapped_column(String(320))
    failed_checks: Mapped[int] = mapped_column(Integer, default=0)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    ticket_id: Mapped[int | None] = mapped_column(BigId)
    handover_reason: Mapped[str | None] = mapped_column(String(20))
    # a one-time code mailed to an order's address: its sha256, the order, expiry, tries
    code_hash: Mapped[str | None] = mapped_column(String(64))
    code_order_id: Mapped[int | None] = mapped_column(BigId)
    code_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    code_attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    handed_over_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # a conversation in a store's chat widget: its chat, and the last chat entry answered
    chat_id: Mapped[int | None] = mapped_column(BigId, unique=True)
    chat_seq: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (Index(None, "store_id", "created_at"),)


class AssistantTurn(Base):
    """One message: `author` customer | assistant; for the assistant's, `kind` says what it
    was (article, order, verify, unknown, handover, relayed, greeting) and, for an article
    answer, which article and how sure it was."""

    __tablename__ = "assistant_turns"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[int] = mapped_column(
        ForeignKey("assistant_conversations.id", ondelete="CASCADE"), index=True
    )
    author: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(20), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    article_id: Mapped[int | None] = mapped_column(Integer)
    article_title: Mapped[str] = mapped_column(String(300), default="")
    article_url: Mapped[str] = mapped_column(String(500), default="")
    confidence: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
