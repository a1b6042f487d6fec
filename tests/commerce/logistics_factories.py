"""Logistics test data (stores, orders, shipments, carriers), made through the services."""

from datetime import UTC, datetime
from typing import Any

from kefu.commerce import carriers, orders, stores
from kefu.commerce.models import Carrier, Order, Store
from kefu.commerce.schemas import (
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

KEY = "test-secret-key-" + "x" * 32
T0 = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
_sequence = iter(range(1001, 10**9))


def make_store(
    database: Database,
    *,
    name: str = "Panda Tea",
    currency: str = "CNY",
    time_zone: str = "Asia/Shanghai",
    language: str = "zh_Hans",
) -> Store:
    data = StoreCreate(name=name, currency=currency, time_zone=time_zone, language=language)
    with database.unit_of_work(actor=Actor.system()) as session:
        return stores.create_store(session, actor=Actor.system(), data=data, key=KEY)


def shipment(
    *,
    external_id: str = "f1",
    carrier: str = "sf-express",
    tracking_number: str = "SF1000000001",
    status: TrackingStatus = TrackingStatus.INFO_RECEIVED,
    shipped_at: datetime | None = T0,
    weight_grams: int | None = 1200,
    shipping_cost_minor: int | None = 1800,
    events: list[TrackingEventIn] | None = None,
) -> FulfilmentIn:
    return FulfilmentIn(
        external_id=external_id,
        carrier=carrier,
        tracking_number=tracking_number,
        status=status,
        shipped_at=shipped_at,
        weight_grams=weight_grams,
        shipping_cost_minor=shipping_cost_minor,
        events=events or [],
    )


def make_order(
    database: Database,
    *,
    store: Store,
    number: str | None = None,
    email: str = "emily@example.com",
    name: str = "Emily Chen",
    payment_status: str = "paid",
    fulfilment_status: str = "unfulfilled",
    placed_at: datetime = T0,
    paid_at: datetime | None = T0,
    total_minor: int = 12800,
    fulfilments: list[FulfilmentIn] | None = None,
    items: list[OrderItemIn] | None = None,
    **values: Any,
) -> Order:
    number = number or str(next(_sequence))
    data = OrderIn(
        external_id=f"ext-{number}",
        number=number,
        currency=store.currency,
        customer=CustomerIn(external_id=f"c-{email}", email=email, name=name),
        email=email,
        total_minor=total_minor,
        subtotal_minor=total_minor,
        payment_status=payment_status,
        fulfilment_status=fulfilment_status,
        placed_at=placed_at,
        paid_at=paid_at if payment_status != "pending" else None,
        items=items
        or [OrderItemIn(external_id="i1", sku="TEA-1", title="Oolong tea", unit_price_minor=12800)],
        fulfilments=fulfilments or [],
        **values,
    )
    with database.unit_of_work(actor=Actor.system()) as session:
        order, _ = orders.upsert_order(
            session, store=stores.get_store(session, store.id), data=data
        )
        return order


def seed_carriers(database: Database, *, secrets: dict[str, str] | None = None) -> None:
    """The default carriers, with webhook secrets for the given codes."""
    with database.unit_of_work(actor=Actor.system()) as session:
        carriers.ensure_default_carriers(session)
        for code, secret in (secrets or {}).items():
            carrier = carriers.carrier_by_code(session, code)
            assert carrier is not None
            data = carriers.CarrierFields(
                name=carrier.name, tracking_url=carrier.tracking_url, webhook_secret=secret
            )
            carriers.update_carrier(
                session, actor=Actor.system(), carrier_id=carrier.id, data=data, key=KEY
            )


def carrier(database: Database, code: str) -> Carrier:
    with database.sessions() as session:
        found = carriers.carrier_by_code(session, code)
        assert found is not None
        return found


def make_return(
    database: Database,
    *,
    order: Order,
    rma: str,
    reason: str = "wrong_size",
    state: str = "requested",
    created_at: datetime = T0,
    refund_minor: int = 0,
) -> None:
    """A return as the actions helper's service will record it; written directly until that
    service is on this branch (the row's columns are the foundation's)."""
    from kefu.commerce.models import OrderReturn

    with database.unit_of_work(actor=Actor.system()) as session:
        session.add(
            OrderReturn(
                order_id=order.id,
                rma=rma,
                state=state,
                reason=reason,
                refund_minor=refund_minor,
                created_at=created_at,
                state_changed_at=created_at,
            )
        )
