"""The suggested replies' table: each suggestion shown on a ticket and what became of it.
Tickets, messages, macros and articles belong to their domains and are referred to by id."""

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Base, BigId, UtcDateTime
from kefu.kit.clock import utcnow


class SuggestionShown(Base):
    """One suggestion shown to an agent on a ticket: `source` reply | macro | article,
    `source_id` the agent reply (message id), macro or article it came from, `rank` 1 = top.
    `inserted_at` when the agent put it in the composer; when a public reply was then sent,
    `sent_at`, the similarity of the sent text to the suggestion (0–1) and `outcome`:
    as_suggested (≥ 0.95), edited (≥ 0.6), replaced (below: the agent wrote their own).
    A measurement log, not a person's change of data: it is not audited."""

    __tablename__ = "ai_suggestions_shown"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(BigId, ForeignKey("tickets.id", ondelete="CASCADE"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(10))
    source_id: Mapped[int] = mapped_column(BigId)
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float, default=0.0)
    text: Mapped[str] = mapped_column(Text, default="")
    shown_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    inserted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    similarity: Mapped[float | None] = mapped_column(Float)
    outcome: Mapped[str | None] = mapped_column(String(20))

    __table_args__ = (
        Index(None, "ticket_id", "source", "source_id"),
        Index(None, "shown_at", "source"),
    )
