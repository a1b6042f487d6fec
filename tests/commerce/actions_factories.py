"""Test data for actions on orders, made through the services: a store, an order with two
items and a shipment, agents, a ticket, policies, and a store that refuses every push."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from kefu.commerce import orders, policies, stores
from kefu.commerce.connectors.base import ConnectorRejected, PushResult, register_connector
from kefu.commerce.connectors.embedded import EmbeddedConnector
from kefu.commerce.models import Order, Store
from kefu.commerce.schemas import (
    Address,
    CustomerIn,
    FulfilmentIn,
    OrderIn,
    OrderItemIn,
    StoreCreate,
    TrackingEventIn,
    TrackingStatus,
)
from kefu.db import Database
from kefu.kit.actor import Actor

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
REFUSING_PLATFORM = "refusing"
REFUSAL = "Refund amount must be less than or equal to 45.00"


class RefusingConnector(EmbeddedConnector):
    """A store that answers every action with a 422, as Shopify words its refusals."""

    platform = REFUSING_PLATFORM

    def refund(self, order: Order, **_: Any) -> PushResult:
        raise ConnectorRejected(REFUSAL)

    def cancel(self, order: Order, **_: Any) -> PushResult:
        raise ConnectorRejected("Order cannot be cancelled: it has been fulfilled")

    def create_replacement(self, order: Order, **_: Any) -> PushResult:
        raise ConnectorRejected("Variant is out of stock")

    def issue_store_credit(self, order: Order | None, **_: Any) -> PushResult:
        raise ConnectorRejected("Gift cards are not enabled on this shop")


register_connector(REFUSING_PLATFORM, RefusingConnector)


@dataclass
class Shop:
    store_id: int
    order_id: int
    shirt_id: int  # 2 × $20.00, category "apparel"
    mug_id: int  # 1 × $15.00, category "home"


def make_store(
    database: Database,
    *,
    name: str = "Lotus Shop",
    platform: str = "embedded",
    language: str = "en",
) -> int:
    with database.unit_of_work() as session:
        store = stores.create_store(
            session,
            actor=Actor.system(),
            data=StoreCreate(name=name, currency="USD", language=language),
        )
        store.platform = platform  # a test platform is not one of the schema's choices
        return store.id


def make_order(
    database: Database,
    *,
    store_id: int,
    number: str = "1001",
    email: str = "emily@example.com",
    placed_at: datetime = NOW - timedelta(days=20),
    delivered_at: datetime | None = NOW - timedelta(days=12),
    shipped: bool = True,
    payment_status: str = "paid",
    final_sale_mug: bool = False,
) -> Shop:
    """Order #1001: two shirts ($20 each), a mug ($15), $5 shipping: $60 paid."""
    fulfilments = []
    if shipped:
        events = [
            TrackingEventIn(
                status=TrackingStatus.IN_TRANSIT,
                happened_at=placed_at + timedelta(days=2),
                description="Departed facility",
            )
        ]
        if delivered_at is not None:
            events.append(
                TrackingEventIn(
                    status=TrackingStatus.DELIVERED,
                    happened_at=delivered_at,
                    description="Delivered",
                )
            )
        fulfilments.append(
            FulfilmentIn(
                external_id=f"f-{number}",
                carrier="ups",
                tracking_number=f"1Z{number}",
                tracking_url=f"https://www.ups.com/track?tracknum=1Z{number}",
                status=TrackingStatus.DELIVERED if delivered_at else TrackingStatus.IN_TRANSIT,
                items=[
                    {"item_external_id": "shirt", "quantity": 2},
                    {"item_external_id": "mug", "quantity": 1},
                ],
                shipped_at=placed_at + timedelta(days=1),
                delivered_at=delivered_at,
                events=events,
            )
        )
    data = OrderIn(
        external_id=f"o-{number}",
        number=number,
        currency="USD",
        customer=CustomerIn(external_id=f"c-{email}", email=email, name="Emily Chen"),
        email=email,
        subtotal_minor=5500,
        shipping_minor=500,
        total_minor=6000,
        payment_status=payment_status,
        fulfilment_status="fulfilled" if shipped else "unfulfilled",
        shipping_address=Address(
            name="Emily Chen", address1="1 Main St", city="Springfield", country_code="US"
        ),
        placed_at=placed_at,
        paid_at=placed_at,
        updated_at=placed_at,
        items=[
            OrderItemIn(
                external_id="shirt",
                sku="TS-M",
                title="T-shirt",
                variant_title="M",
                category="apparel",
                quantity=2,
                unit_price_minor=2000,
                fulfilled_quantity=2 if shipped else 0,
            ),
            OrderItemIn(
                external_id="mug",
                sku="MUG",
                title="Mug",
                category="home",
                quantity=1,
                unit_price_minor=1500,
                is_final_sale=final_sale_mug,
                fulfilled_quantity=1 if shipped else 0,
            ),
        ],
        fulfilments=fulfilments,
    )
    with database.unit_of_work() as session:
        store = stores.get_store(session, store_id)
        order, _ = orders.upsert_order(session, store=store, data=data)
        items = {i.external_id: i.id for i in orders.items_of(session, [order.id])[order.id]}
        return Shop(
            store_id=store_id, order_id=order.id, shirt_id=items["shirt"], mug_id=items["mug"]
        )


def make_shop(database: Database, *, platform: str = "embedded", **order: Any) -> Shop:
    return make_order(database, store_id=make_store(database, platform=platform), **order)


def set_policy(database: Database, *, store_id: int, **values: Any) -> None:
    with database.unit_of_work() as session:
        policies.save_policy(
            session, actor=Actor.system(), store_id=store_id, data=policies.PolicyIn(**values)
        )


def store_of(database: Database, store_id: int) -> Store:
    with database.sessions() as session:
        return stores.get_store(session, store_id)
