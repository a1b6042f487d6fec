"""The customers domain's tables."""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Audited, Base, JsonDoc, UtcDateTime
from kefu.kit.clock import utcnow


class Customer(Audited, Base):
    """A person who writes to the store; `merged_into_id` points at the survivor of a merge."""

    __tablename__ = "customers"
    __audit_ignore__ = frozenset({"updated_at"})

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str | None] = mapped_column(String(10))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    tags: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    is_vip: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (Index(None, "name"),)


class CustomerIdentity(Audited, Base):
    """How a channel knows a customer: an email address, a phone number (E.164), a chat
    visitor id, or a store's customer id (`value` = "<store id>:<customer id>").

    Values are normalized before they are stored, so (kind, value) is unique: one address
    belongs to one customer."""

    __tablename__ = "customer_identities"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(String(320))
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False)
    details: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("kind", "value"),)
