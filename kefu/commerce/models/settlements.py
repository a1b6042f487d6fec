"""What was given back on an order: refunds, returns (RMA), exchanges and store credit."""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Audited, Base, BigId, JsonDoc, UtcDateTime
from kefu.kit.clock import utcnow


class Refund(Audited, Base):
    """Money given back: `items` lists {"item_id", "quantity", "amount_minor"};
    `method` is "original" (to the payment) or "store_credit". `external_id` is the store's
    id for it, so a refunds/create webhook for a refund kefu made is not counted twice."""

    __tablename__ = "refunds"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str | None] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigId)  # everything: items + shipping + custom
    shipping_minor: Mapped[int] = mapped_column(BigId, default=0)
    method: Mapped[str] = mapped_column(String(20), default="original")
    items: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    restock: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("order_id", "external_id"),)


class OrderReturn(Audited, Base):
    """A return (RMA): requested → approved → in_transit → received → refunded | exchanged,
    or rejected. `items` lists {"item_id", "quantity", "reason", "condition"}; `photos`
    lists attachment ids the customer sent."""

    __tablename__ = "order_returns"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    rma: Mapped[str] = mapped_column(String(40), unique=True)
    state: Mapped[str] = mapped_column(String(20), default="requested")
    reason: Mapped[str] = mapped_column(String(40))  # a reason code (commerce.reasons)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    photos: Mapped[list[int]] = mapped_column(JsonDoc, default=list)
    instructions: Mapped[str] = mapped_column(Text, default="")
    restocking_fee_minor: Mapped[int] = mapped_column(BigId, default=0)
    refund_minor: Mapped[int] = mapped_column(BigId, default=0)  # what the customer gets back
    resolution: Mapped[str] = mapped_column(String(20), default="refund")  # |exchange|credit
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    external_id: Mapped[str | None] = mapped_column(String(64))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    state_changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (Index("ix_order_returns_state_created_at", "state", "created_at"),)


class Exchange(Audited, Base):
    """Items swapped for others (another size or colour): `items_out` are the order's items
    coming back {"item_id", "quantity"}, `items_in` the replacements {"sku", "variant_id",
    "title", "quantity", "unit_price_minor"}; `difference_minor` > 0 is charged to the
    customer, < 0 refunded."""

    __tablename__ = "exchanges"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    return_id: Mapped[int | None] = mapped_column(
        ForeignKey("order_returns.id", ondelete="SET NULL")
    )
    items_out: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    items_in: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    currency: Mapped[str] = mapped_column(String(3))
    difference_minor: Mapped[int] = mapped_column(BigId, default=0)
    replacement_order_id: Mapped[int | None] = mapped_column(
        ForeignKey("orders.id", ondelete="SET NULL")
    )
    state: Mapped[str] = mapped_column(String(20), default="open")  # open | shipped | done
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class StoreCredit(Audited, Base):
    """Credit a customer can spend in the store (a gift card on Shopify, a coupon on Woo)."""

    __tablename__ = "store_credits"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    currency: Mapped[str] = mapped_column(String(3))
    amount_minor: Mapped[int] = mapped_column(BigId)
    code: Mapped[str] = mapped_column(String(64), default="")  # what the customer types
    external_id: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(200), default="")
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    uses: Mapped[int] = mapped_column(Integer, default=0)
