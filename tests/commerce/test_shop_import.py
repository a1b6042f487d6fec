"""Initial import from the Shopify- and WooCommerce-format servers on loopback: the documented
Shopify order round-trips every column kefu keeps; lists are paged as the providers page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from kefu.commerce.models import Fulfilment, Order, OrderItem, Refund, Store
from kefu.commerce.sync import sync_store
from kefu.customers.models import CustomerIdentity
from kefu.db import Database
from kefu.runtime import Runtime
from tests.commerce.shop_factories import fixture, make_store
from tests.commerce.shop_servers import ShopServer

T = datetime(2008, 1, 10, 16, 0, tzinfo=UTC)


@pytest.fixture
def shopify(runtime: Runtime) -> Iterator[ShopServer]:
    with ShopServer("shopify").running() as server:
        yield server


@pytest.fixture
def woo(runtime: Runtime) -> Iterator[ShopServer]:
    with ShopServer("woocommerce").running() as server:
        yield server


def _sync(database: Database, store_id: int, **kw: Any) -> Any:
    with database.unit_of_work() as session:
        return sync_store(session, store=session.get(Store, store_id), **kw)


def _columns(row: Any, *skip: str) -> dict[str, Any]:
    return {
        c.key: getattr(row, c.key)
        for c in row.__table__.columns
        if c.key not in {"id", "created_at", "updated_at", *skip}
    }


def _utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


def test_documented_shopify_order_round_trips_every_column(
    database: Database, shopify: ShopServer
) -> None:
    # given
    store = make_store(database, base_url=shopify.url)
    shopify.orders = [fixture("shopify/order.json")]
    # when
    result = _sync(database, store.id)
    # then
    assert (result.seen, result.changed) == (1, 1)
    with database.sessions() as session:
        order = session.scalars(select(Order)).one()
        customer_ref = session.scalar(
            select(CustomerIdentity.value).where(CustomerIdentity.customer_id == order.customer_id)
        )
        columns = _columns(order, "customer_id", "details")
        for key in ("placed_at", "paid_at", "source_updated_at", "cancelled_at"):
            columns[key] = _utc(columns[key])
        assert columns == {
            "store_id": store.id,
            "external_id": "450789469",
            "number": "1001",
            "email": "bob.norman@mail.example.com",
            "phone": "+557734881234",
            "currency": "USD",
            "subtotal_minor": 59700,
            "discount_minor": 1000,
            "shipping_minor": 0,
            "tax_minor": 1194,
            "total_minor": 59894,
            "refunded_minor": 20900,
            "payment_status": "partially_refunded",
            "fulfilment_status": "unfulfilled",
            "status": "open",
            "cancelled_at": None,
            "cancel_reason": "",
            "shipping_address": {
                "name": "Bob Norman",
                "company": "",
                "address1": "Chestnut Street 92",
                "address2": "",
                "city": "Louisville",
                "province": "Kentucky",
                "postal_code": "40202",
                "country_code": "US",
                "phone": "+1(502)-459-2181",
            },
            "billing_address": columns["shipping_address"],
            "discount_codes": ["TENOFF"],
            "note": "",
            "tags": [],
            "placed_at": T,
            "paid_at": T,
            "source_updated_at": T,
        }
        assert order.details["shipping_line_ids"] == ["369256396"]
        assert customer_ref is not None
        items = {i.external_id: i for i in session.scalars(select(OrderItem))}
        assert _columns(items["466157049"], "order_id", "details") == {
            "external_id": "466157049",
            "product_id": "632910392",
            "variant_id": "39072856",
            "sku": "IPOD2008GREEN",
            "title": "IPod Nano - 8gb",
            "variant_title": "green",
            "category": "",
            "quantity": 1,
            "unit_price_minor": 19900,
            "discount_minor": 334,
            "tax_minor": 398,
            "is_final_sale": False,
            "fulfilled_quantity": 0,
            "refunded_quantity": 1,
            "returned_quantity": 0,
        }
        assert [(i.sku, i.refunded_quantity) for i in items.values()] == [
            ("IPOD2008GREEN", 1),
            ("IPOD2008RED", 0),
            ("IPOD2008BLACK", 1),
        ]
        fulfilment = session.scalars(select(Fulfilment)).one()
        shipped = _columns(fulfilment, "order_id")
        shipped["shipped_at"] = _utc(shipped["shipped_at"])
        shipped["source_updated_at"] = _utc(shipped["source_updated_at"])
        assert shipped == {
            "external_id": "255858046",
            "carrier": "usps",
            "tracking_number": "1Z2345",
            "tracking_url": "https://tools.usps.com/go/TrackConfirmAction_input?qtc_tLabels1=1Z2345",
            "status": "exception",
            "items": [{"item_id": items["466157049"].id, "quantity": 1}],
            "weight_grams": None,
            "shipping_cost_minor": None,
            "shipped_at": datetime(2024, 1, 2, 13, 59, 11, tzinfo=UTC),
            "delivered_at": None,
            "last_event_at": None,
            "source_updated_at": datetime(2024, 1, 2, 13, 59, 11, tzinfo=UTC),
        }
        refund = session.scalars(select(Refund)).one()
        kept = _columns(refund, "order_id")
        kept["processed_at"] = _utc(kept["processed_at"])
        assert kept == {
            "external_id": "509562969",
            "currency": "USD",
            "amount_minor": 20900,
            "shipping_minor": 0,
            "method": "original",
            "items": [
                {"item_id": items["703073504"].id, "quantity": 1, "amount_minor": 19964},
                {"item_id": items["466157049"].id, "quantity": 1, "amount_minor": 19965},
            ],
            "restock": True,
            "reason": "",
            "note": "it broke during shipping",
            "ticket_id": None,
            "agent_id": None,
            "processed_at": datetime(2024, 1, 2, 13, 59, 11, tzinfo=UTC),
        }
        assert _utc(session.get(Store, store.id).last_import_at) is not None


def _shopify_orders(count: int) -> list[dict[str, Any]]:
    orders = []
    for n in range(count):
        order = fixture("shopify/order.json")
        order.update(id=9000 + n, name=f"#{2000 + n}", refunds=[], fulfillments=[])
        orders.append(order)
    return orders


def test_shopify_import_follows_the_link_header_across_pages(
    database: Database, shopify: ShopServer
) -> None:
    store = make_store(database, base_url=shopify.url)
    shopify.orders = _shopify_orders(5)
    seen: list[int] = []

    result = _sync(
        database,
        store.id,
        since=datetime(2024, 1, 1, tzinfo=UTC),
        progress=lambda r: seen.append(r.seen),
    )

    assert (result.seen, result.changed, seen) == (5, 5, [1, 2, 3, 4, 5])
    first, second, third = shopify.calls("GET", r"/orders\.json$")
    assert first.query == {
        "status": ["any"],
        "limit": ["250"],
        "updated_at_min": ["2024-01-01T00:00:00+00:00"],
    }
    assert (second.query["page_info"], third.query["page_info"]) == (["p2"], ["p4"])
    assert "status" not in second.query and "updated_at_min" not in third.query
    with database.sessions() as session:
        numbers = sorted(session.scalars(select(Order.number)))
    assert numbers == ["2000", "2001", "2002", "2003", "2004"]


def test_an_import_run_twice_changes_nothing_the_second_time(
    database: Database, shopify: ShopServer
) -> None:
    store = make_store(database, base_url=shopify.url)
    shopify.orders = _shopify_orders(3)

    _sync(database, store.id)
    again = _sync(database, store.id)

    assert (again.seen, again.changed) == (3, 0)


def test_woocommerce_import_pages_by_total_pages_with_key_and_secret(
    database: Database, woo: ShopServer
) -> None:
    store = make_store(database, platform="woocommerce", base_url=woo.url)
    for n in range(3):
        woo.orders.append(
            {**fixture("woocommerce/order.json"), "id": 800 + n, "number": str(800 + n)}
        )

    result = _sync(database, store.id, since=datetime(2024, 3, 1, 12, 30, tzinfo=UTC))

    assert (result.seen, result.changed) == (3, 3)
    first, second = woo.calls("GET", r"/orders$")
    assert first.query["page"] == ["1"] and second.query["page"] == ["2"]
    assert first.query["modified_after"] == ["2024-03-01T12:30:00"]
    assert first.query["dates_are_gmt"] == ["true"] and first.query["per_page"] == ["100"]
    # plain http only because the store is on loopback: credentials as query parameters
    assert first.query["consumer_key"] == ["ck_test_0123456789"]
