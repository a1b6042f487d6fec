"""What crosses into and out of commerce: orders as every connector normalizes them, and
their API shapes. Money is always integer minor units beside a currency code."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from kefu.kit.i18n import N_


class Platform(StrEnum):
    EMBEDDED = "embedded"
    SHOPIFY = "shopify"
    WOOCOMMERCE = "woocommerce"


class TrackingStatus(StrEnum):
    INFO_RECEIVED = "info_received"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    FAILED_ATTEMPT = "failed_attempt"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    EXPIRED = "expired"


TRACKING_LABELS: dict[str, str] = {
    TrackingStatus.INFO_RECEIVED: N_("Label created"),
    TrackingStatus.IN_TRANSIT: N_("In transit"),
    TrackingStatus.OUT_FOR_DELIVERY: N_("Out for delivery"),
    TrackingStatus.FAILED_ATTEMPT: N_("Delivery attempt failed"),
    TrackingStatus.DELIVERED: N_("Delivered"),
    TrackingStatus.EXCEPTION: N_("Delivery problem"),
    TrackingStatus.EXPIRED: N_("Tracking expired"),
}

PAYMENT_LABELS: dict[str, str] = {
    "pending": N_("Payment pending"),
    "authorized": N_("Authorized"),
    "paid": N_("Paid"),
    "partially_paid": N_("Partially paid"),
    "partially_refunded": N_("Partially refunded"),
    "refunded": N_("Refunded"),
    "voided": N_("Voided"),
}

FULFILMENT_LABELS: dict[str, str] = {
    "unfulfilled": N_("Not shipped"),
    "partial": N_("Partly shipped"),
    "fulfilled": N_("Shipped"),
    "restocked": N_("Restocked"),
}


class Address(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(default="", max_length=200)
    company: str = Field(default="", max_length=200)
    address1: str = Field(default="", max_length=300)
    address2: str = Field(default="", max_length=300)
    city: str = Field(default="", max_length=120)
    province: str = Field(default="", max_length=120)
    postal_code: str = Field(default="", max_length=30)
    country_code: str = Field(default="", max_length=2)
    phone: str = Field(default="", max_length=40)


class OrderItemIn(BaseModel):
    external_id: str = Field(min_length=1, max_length=64)
    product_id: str = Field(default="", max_length=64)
    variant_id: str = Field(default="", max_length=64)
    sku: str = Field(default="", max_length=100)
    title: str = Field(default="", max_length=500)
    variant_title: str = Field(default="", max_length=200)
    category: str = Field(default="", max_length=100)
    quantity: int = Field(default=1, ge=0)
    unit_price_minor: int = Field(default=0, ge=0)
    discount_minor: int = Field(default=0, ge=0)
    tax_minor: int = Field(default=0, ge=0)
    is_final_sale: bool = False
    fulfilled_quantity: int = Field(default=0, ge=0)
    refunded_quantity: int = Field(default=0, ge=0)
    details: dict[str, Any] = Field(default_factory=dict)


class TrackingEventIn(BaseModel):
    status: TrackingStatus
    happened_at: datetime
    description: str = Field(default="", max_length=500)
    location: str = Field(default="", max_length=200)


class FulfilmentIn(BaseModel):
    external_id: str = Field(min_length=1, max_length=64)
    carrier: str = Field(default="", max_length=50)
    tracking_number: str = Field(default="", max_length=100)
    tracking_url: str = Field(default="", max_length=1000)
    status: TrackingStatus = TrackingStatus.INFO_RECEIVED
    items: list[dict[str, Any]] = Field(default_factory=list)  # {"item_external_id", "quantity"}
    weight_grams: int | None = Field(default=None, ge=0)
    shipping_cost_minor: int | None = Field(default=None, ge=0)
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    updated_at: datetime | None = None
    events: list[TrackingEventIn] = Field(default_factory=list)


class RefundIn(BaseModel):
    """A refund the store reports (made in its admin, or the echo of one kefu made)."""

    external_id: str = Field(min_length=1, max_length=64)
    amount_minor: int = Field(ge=0)
    shipping_minor: int = Field(default=0, ge=0)
    items: list[dict[str, Any]] = Field(default_factory=list)  # {"item_external_id", ...}
    restock: bool = False
    reason: str = Field(default="", max_length=200)
    note: str = Field(default="", max_length=5000)
    processed_at: datetime | None = None


class CustomerIn(BaseModel):
    external_id: str = Field(default="", max_length=64)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    name: str = Field(default="", max_length=200)


class OrderIn(BaseModel):
    """An order as any connector (embedded import, Shopify, WooCommerce) hands it over.

    `updated_at` is the store's own update time; the newest one wins."""

    external_id: str = Field(min_length=1, max_length=64)
    number: str = Field(min_length=1, max_length=64)
    currency: str = Field(min_length=3, max_length=3)
    customer: CustomerIn | None = None
    email: str = Field(default="", max_length=320)
    phone: str = Field(default="", max_length=40)
    subtotal_minor: int = 0
    discount_minor: int = Field(default=0, ge=0)
    shipping_minor: int = Field(default=0, ge=0)
    tax_minor: int = Field(default=0, ge=0)
    total_minor: int = 0
    payment_status: str = Field(default="pending", max_length=20)
    fulfilment_status: str = Field(default="unfulfilled", max_length=20)
    cancelled_at: datetime | None = None
    cancel_reason: str = Field(default="", max_length=200)
    closed_at: datetime | None = None
    shipping_address: Address | None = None
    billing_address: Address | None = None
    discount_codes: list[str] = Field(default_factory=list)
    note: str = Field(default="", max_length=5000)
    tags: list[str] = Field(default_factory=list)
    placed_at: datetime
    paid_at: datetime | None = None
    updated_at: datetime | None = None
    items: list[OrderItemIn] = Field(default_factory=list)
    fulfilments: list[FulfilmentIn] = Field(default_factory=list)
    refunds: list[RefundIn] = Field(default_factory=list)
    details: dict[str, Any] = Field(default_factory=dict)


class StoreFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=200)
    platform: Platform | None = None
    currency: str | None = Field(default=None, pattern=r"^[A-Za-z]{3}$")
    time_zone: str | None = Field(default=None, max_length=64)
    language: str | None = Field(default=None, max_length=10)
    base_url: str | None = Field(default=None, max_length=500)
    api_key: str | None = Field(default=None, max_length=200)
    api_secret: str | None = Field(default=None, max_length=2000, description="write-only")
    webhook_secret: str | None = Field(default=None, max_length=2000, description="write-only")
    is_active: bool | None = None


class StoreCreate(StoreFields):
    name: str = Field(min_length=1, max_length=200)
    platform: Platform = Platform.EMBEDDED
    currency: str = Field(default="USD", pattern=r"^[A-Za-z]{3}$")


class StoreRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    platform: str
    currency: str
    time_zone: str
    language: str
    base_url: str
    api_key: str
    has_api_secret: bool
    has_webhook_secret: bool
    is_active: bool
    last_import_at: datetime | None
    last_error: str


class OrderItemRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str
    sku: str
    title: str
    variant_title: str
    category: str
    quantity: int
    unit_price_minor: int
    discount_minor: int
    tax_minor: int
    is_final_sale: bool
    fulfilled_quantity: int
    refunded_quantity: int
    returned_quantity: int


class TrackingEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status: str
    happened_at: datetime
    description: str
    location: str


class FulfilmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    carrier: str
    tracking_number: str
    tracking_url: str
    status: str
    shipped_at: datetime | None
    delivered_at: datetime | None
    last_event_at: datetime | None
    events: list[TrackingEventRead] = Field(default_factory=list)


class OrderRead(BaseModel):
    """An order with its lines and shipments (money in minor units of `currency`)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    store_id: int
    external_id: str
    number: str
    customer_id: int | None
    email: str
    currency: str
    subtotal_minor: int
    discount_minor: int
    shipping_minor: int
    tax_minor: int
    total_minor: int
    refunded_minor: int
    payment_status: str
    fulfilment_status: str
    status: str
    cancelled_at: datetime | None
    shipping_address: dict[str, Any]
    note: str
    tags: list[str]
    placed_at: datetime
    items: list[OrderItemRead] = Field(default_factory=list)
    fulfilments: list[FulfilmentRead] = Field(default_factory=list)
    ticket_ids: list[int] = Field(default_factory=list)


class OrderPage(BaseModel):
    items: list[OrderRead]
    next_cursor: str | None = None


class TicketOrderLink(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_id: int | None = Field(default=None, ge=1, le=2**63 - 1)
    number: str | None = Field(default=None, min_length=1, max_length=64)
