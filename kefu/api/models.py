"""The api package's tables."""

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Base, BigId, JsonDoc, UtcDateTime
from kefu.kit.clock import utcnow


class IdempotencyKey(Base):
    """A POST's `Idempotency-Key` and the response it got, replayed when the key comes back.

    Keys are per caller (`actor_ref`); `request_hash` catches a key reused for another body."""

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    actor_ref: Mapped[str] = mapped_column(String(120))
    key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(500))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[Any] = mapped_column(JsonDoc, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)

    __table_args__ = (UniqueConstraint("actor_ref", "key"),)
