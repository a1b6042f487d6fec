"""The trends' tables: each computed snapshot of topics (history is kept, the page reads the
newest), its topics, and the sentence vectors of the messages already embedded (so a nightly
run embeds only the day's new tickets)."""

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Base, BigId, JsonDoc, UtcDateTime
from kefu.kit.clock import utcnow


class TrendSnapshot(Base):
    """One run of the trends job: the window it read (`since`..`until`, two periods of
    `period_days`), how many tickets, how long it took and who asked (a job name or
    "agent:ID"). Machine output, not a person's change: not audited."""

    __tablename__ = "ai_trend_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    since: Mapped[datetime] = mapped_column(UtcDateTime)
    until: Mapped[datetime] = mapped_column(UtcDateTime)
    period_days: Mapped[int] = mapped_column(Integer)
    messages: Mapped[int] = mapped_column(Integer, default=0)
    clustered: Mapped[int] = mapped_column(Integer, default=0)
    embedded: Mapped[int] = mapped_column(Integer, default=0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    requested_by: Mapped[str] = mapped_column(String(120), default="")

    __table_args__ = (Index(None, "computed_at"),)


class TrendTopic(Base):
    """A topic of a snapshot: its key terms, this period's and the previous period's ticket
    counts, the change (new, rising, falling, steady), the daily counts over the window,
    the tickets (up to `kefu.ai.trends.MAX_TICKETS`) and a few example messages."""

    __tablename__ = "ai_trend_topics"

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("ai_trend_snapshots.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    terms: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    current_count: Mapped[int] = mapped_column(Integer)
    previous_count: Mapped[int] = mapped_column(Integer)
    change: Mapped[str] = mapped_column(String(10))
    ratio: Mapped[float | None] = mapped_column(Float)
    daily: Mapped[list[int]] = mapped_column(JsonDoc, default=list)
    ticket_ids: Mapped[list[int]] = mapped_column(JsonDoc, default=list)
    examples: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)

    __table_args__ = (Index(None, "snapshot_id", "position"),)


class MessageVector(Base):
    """A customer message's 512-d sentence vector (float16, 1 KB), kept while the message is
    inside the trends window; `created_at` is the ticket's, for pruning."""

    __tablename__ = "ai_message_vectors"

    message_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    vector: Mapped[bytes] = mapped_column(LargeBinary)

    __table_args__ = (Index(None, "created_at"),)
