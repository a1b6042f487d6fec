"""Every action an agent asks for on an order, its approval, and the written policies."""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Audited, Base, BigId, JsonDoc, UtcDateTime
from kefu.kit.clock import utcnow


class OrderAction(Audited, Base):
    """One request to act on an order (refund, cancel, edit_address, return, exchange,
    resend, store_credit). `idempotency_key` is unique: the same form submitted twice acts
    once. `status`: done | pending_approval | denied | failed. Above an agent's limit the
    action waits for a manager (`pending_approval`); `policy` keeps the checks the agent saw."""

    __tablename__ = "order_actions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    ticket_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    request: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    result: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    policy: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    amount_minor: Mapped[int] = mapped_column(BigId, default=0)
    currency: Mapped[str] = mapped_column(String(3), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL")
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (Index("ix_order_actions_status_created_at", "status", "created_at"),)


class Policy(Audited, Base):
    """A store's written rules for one product category ("" = every other category):
    return window, final sale, restocking fee, reasons that need photos, and the largest
    refund an agent may issue alone (above it, a manager approves)."""

    __tablename__ = "commerce_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    category: Mapped[str] = mapped_column(String(100), default="")
    return_window_days: Mapped[int] = mapped_column(Integer, default=30)
    is_final_sale: Mapped[bool] = mapped_column(default=False)
    restocking_fee_percent: Mapped[int] = mapped_column(Integer, default=0)
    photo_reasons: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    agent_refund_limit_minor: Mapped[int] = mapped_column(BigId, default=10000)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("store_id", "category"),)
