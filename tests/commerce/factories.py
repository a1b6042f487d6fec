"""Commerce test data, made through the services (stores, orders as a connector hands them)."""

from datetime import UTC, datetime, timedelta
from typing import Any

from kefu.commerce import orders, stores
from kefu.commerce.models import Order, Store
from kefu.commerce.schemas import (
    Address,
    CustomerIn,
    FulfilmentIn,
    OrderIn,
    OrderItemIn,
    StoreCreate,
)
from kefu.db import Database
from kefu.kit.actor import Actor

PLACED = datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
TEST_KEY = "test-instance-key"


def make_store(database: Database, **values: Any) -> Store:
    data = StoreCreate(**{"name": "Lumen Outfitters", "currency": "USD", **values})
    with database.unit_of_work(actor=Actor.system()) as session:
        return stores.create_store(session, actor=Actor.system(), data=data, key=TEST_KEY)


def order_in(
    *,
    number: str = "1001",
    email: str = "emily@example.com",
    name: str = "Emily Chen",
    items: list[OrderItemIn] | None = None,
    shipments: list[FulfilmentIn] | None = None,
    placed_at: datetime = PLACED,
    updated_at: datetime | None = None,
    **values: Any,
) -> OrderIn:
    lines = items or [
        OrderItemIn(
            external_id=f"{number}-1",
            sku="TEE-BLK-M",
            title="Organic tee",
            variant_title="Black / M",
            category="apparel",
            quantity=2,
            unit_price_minor=2500,
        ),
        OrderItemIn(
            external_id=f"{number}-2",
            sku="CAP-RED",
            title="Canvas cap",
            category="accessories",
            quantity=1,
            unit_price_minor=1800,
        ),
    ]
    subtotal = sum(line.unit_price_minor * line.quantity for line in lines)
    fields: dict[str, Any] = {
        "external_id": f"ext-{number}",
        "number": number,
        "currency": "USD",
        "customer": CustomerIn(external_id=f"cust-{email}", email=email, name=name),
        "email": email,
        "subtotal_minor": subtotal,
        "shipping_minor": 500,
        "total_minor": subtotal + 500,
        "payment_status": "paid",
        "placed_at": placed_at,
        "paid_at": placed_at,
        "updated_at": updated_at or placed_at + timedelta(minutes=1),
        "shipping_address": Address(
            name=name,
            address1="12 Harbour St",
            city="Leeds",
            postal_code="LS1 4AB",
            country_code="GB",
        ),
        "items": lines,
        "fulfilments": shipments or [],
        **values,
    }
    return OrderIn(**fields)


def make_order(database: Database, *, store: Store, **values: Any) -> Order:
    with database.unit_of_work(actor=Actor.system()) as session:
        order, _changed = orders.upsert_order(
            session, store=stores.get_store(session, store.id), data=order_in(**values)
        )
        return order
