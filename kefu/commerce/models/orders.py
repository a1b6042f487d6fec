"""Stores, orders, their items and fulfilments, and which tickets are about which order."""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Audited, Base, BigId, JsonDoc, UtcDateTime
from kefu.kit.clock import utcnow


class Store(Audited, Base):
    """One shop kefu serves: its platform (embedded, shopify, woocommerce), currency and
    time zone. Connector secrets are encrypted with the instance key (kefu.kit.secretbox)."""

    __tablename__ = "stores"
    __audit_redact__ = frozenset({"api_secret_enc", "webhook_secret_enc"})
    __audit_ignore__ = frozenset({"updated_at", "last_import_at", "last_error"})

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(20), default="embedded")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    language: Mapped[str] = mapped_column(String(10), default="en")
    # shop domain (shop.myshopify.com) or site URL (https://shop.example.com); a test server
    # on loopback in the tests
    base_url: Mapped[str] = mapped_column(String(500), default="")
    api_key: Mapped[str] = mapped_column(String(200), default="")  # WooCommerce consumer key
    api_secret_enc: Mapped[str | None] = mapped_column(Text)  # Shopify token / Woo secret
    webhook_secret_enc: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_import_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class Order(Audited, Base):
    """An order as the store knows it. Money is in minor units of `currency`.

    `source_updated_at` is the store's own update time: a webhook or import older than it
    is ignored, so replays and out-of-order deliveries never roll an order back."""

    __tablename__ = "orders"
    __audit_ignore__ = frozenset({"updated_at", "source_updated_at", "details"})

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(64))  # as customers type it, without "#"
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    currency: Mapped[str] = mapped_column(String(3))
    subtotal_minor: Mapped[int] = mapped_column(BigId, default=0)
    discount_minor: Mapped[int] = mapped_column(BigId, default=0)
    shipping_minor: Mapped[int] = mapped_column(BigId, default=0)
    tax_minor: Mapped[int] = mapped_column(BigId, default=0)
    total_minor: Mapped[int] = mapped_column(BigId, default=0)
    refunded_minor: Mapped[int] = mapped_column(BigId, default=0)
    # pending | authorized | paid | partially_paid | partially_refunded | refunded | voided
    payment_status: Mapped[str] = mapped_column(String(20), default="pending")
    # unfulfilled | partial | fulfilled | restocked
    fulfilment_status: Mapped[str] = mapped_column(String(20), default="unfulfilled")
    status: Mapped[str] = mapped_column(String(10), default="open")  # open|cancelled|closed
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancel_reason: Mapped[str] = mapped_column(String(200), default="")
    shipping_address: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    billing_address: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    discount_codes: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    placed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    source_updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    details: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("store_id", "external_id"),
        Index("ix_orders_number", "number"),
        Index("ix_orders_customer_id_placed_at", "customer_id", "placed_at"),
        Index("ix_orders_payment_status_placed_at", "payment_status", "placed_at"),
    )


class OrderItem(Base):
    """A line of an order. `category` is the product category policies are written for."""

    __tablename__ = "order_items"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(64))
    product_id: Mapped[str] = mapped_column(String(64), default="")
    variant_id: Mapped[str] = mapped_column(String(64), default="")
    sku: Mapped[str] = mapped_column(String(100), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
    variant_title: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(100), default="")
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price_minor: Mapped[int] = mapped_column(BigId, default=0)
    discount_minor: Mapped[int] = mapped_column(BigId, default=0)  # for the whole line
    tax_minor: Mapped[int] = mapped_column(BigId, default=0)  # for the whole line
    is_final_sale: Mapped[bool] = mapped_column(Boolean, default=False)
    fulfilled_quantity: Mapped[int] = mapped_column(Integer, default=0)
    refunded_quantity: Mapped[int] = mapped_column(Integer, default=0)
    returned_quantity: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)

    __table_args__ = (UniqueConstraint("order_id", "external_id"),)


class Fulfilment(Base):
    """A shipment: carrier, tracking number and the normalized tracking status
    (info_received, in_transit, out_for_delivery, failed_attempt, delivered, exception,
    expired). `items` lists {"item_id", "quantity"}; weight and cost are what kefu expects
    the carrier to invoice (monthly reconciliation)."""

    __tablename__ = "fulfilments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(64))
    carrier: Mapped[str] = mapped_column(String(50), default="")  # a carriers.code
    tracking_number: Mapped[str] = mapped_column(String(100), default="")
    tracking_url: Mapped[str] = mapped_column(String(1000), default="")
    status: Mapped[str] = mapped_column(String(20), default="info_received")
    items: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    weight_grams: Mapped[int | None] = mapped_column(Integer)
    shipping_cost_minor: Mapped[int | None] = mapped_column(BigId)
    shipped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_event_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    source_updated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("order_id", "external_id"),
        Index("ix_fulfilments_tracking_number", "tracking_number"),
        Index("ix_fulfilments_status_last_event_at", "status", "last_event_at"),
    )


class TicketOrder(Audited, Base):
    """A ticket is about an order: linked by an agent, or found in the ticket's text."""

    __tablename__ = "ticket_orders"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    order_id: Mapped[int] = mapped_column(
        ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    linked_by: Mapped[str] = mapped_column(String(10), default="agent")  # agent | text
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
