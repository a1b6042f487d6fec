"""Each action pushed to the Shopify- and WooCommerce-format servers: the request body as the
provider documents it; a refusal becomes ConnectorRejected quoting the provider."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from kefu.commerce import orders, stores
from kefu.commerce.connectors import (
    ConnectorRejected,
    ConnectorUnavailable,
    connector_for,
    shopify_mapping,
    woocommerce_mapping,
)
from kefu.commerce.connectors.base import RefundLine
from kefu.commerce.models import Order, Store
from kefu.commerce.schemas import Address, StoreFields
from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.runtime import Runtime
from tests.commerce.shop_factories import API_TOKEN, fixture, make_store
from tests.commerce.shop_servers import ShopServer
from tests.conftest import free_port

NEW_ADDRESS = Address(
    name="Bob Norman",
    address1="123 Ship Street",
    city="Shipsville",
    province="Kentucky",
    postal_code="40202",
    country_code="US",
    phone="+15024592181",
)


@pytest.fixture
def shopify(runtime: Runtime) -> Iterator[ShopServer]:
    with ShopServer("shopify").running() as server:
        yield server


@pytest.fixture
def woo(runtime: Runtime) -> Iterator[ShopServer]:
    with ShopServer("woocommerce").running() as server:
        yield server


def _store_and_order(database: Database, platform: str, base_url: str) -> tuple[Store, Order]:
    store = make_store(database, platform=platform, base_url=base_url)
    mapping = shopify_mapping if platform == "shopify" else woocommerce_mapping
    data = mapping.order(fixture(f"{platform}/order.json"))
    with database.unit_of_work() as session:
        stored = session.get(Store, store.id)
        order, _changed = orders.upsert_order(session, store=stored, data=data)
        session.expunge_all()
    return store, order


def test_shopify_refund_calculates_then_refunds_as_documented(
    database: Database, shopify: ShopServer
) -> None:
    store, order = _store_and_order(database, "shopify", shopify.url)
    connector = connector_for(store)

    result = connector.refund(
        order,
        lines=[RefundLine(item_external_id="518995019", quantity=1, amount_minor=19965)],
        shipping_minor=0,
        amount_minor=19965,
        restock=True,
        note="wrong size",
    )

    assert result.external_id == "929361472"
    [calculate] = shopify.calls("POST", r"/orders/450789469/refunds/calculate\.json$")
    [create] = shopify.calls("POST", r"/orders/450789469/refunds\.json$")
    assert calculate.headers["x-shopify-access-token"] == API_TOKEN
    refund_lines = [{"line_item_id": 518995019, "quantity": 1, "restock_type": "return"}]
    assert calculate.body == {
        "refund": {
            "currency": "USD",
            "shipping": {"amount": "0.00"},
            "refund_line_items": refund_lines,
        }
    }
    assert create.body == {
        "refund": {
            "currency": "USD",
            "shipping": {"amount": "0.00"},
            "refund_line_items": refund_lines,
            "notify": False,
            "note": "wrong size",
            "transactions": [
                {"parent_id": 801038806, "amount": "199.65", "kind": "refund", "gateway": "bogus"}
            ],
        }
    }


def test_shopify_cancel_address_replacement_and_gift_card(
    database: Database, shopify: ShopServer
) -> None:
    store, order = _store_and_order(database, "shopify", shopify.url)
    connector = connector_for(store)

    connector.cancel(order, reason="customer", restock=True, refund=True)
    connector.update_shipping_address(order, NEW_ADDRESS)
    replacement = connector.create_replacement(
        order,
        lines=[
            {"variant_id": "49148385", "sku": "IPOD2008RED", "quantity": 1, "unit_price_minor": 0}
        ],
        note="resend: arrived broken",
    )
    credit = connector.issue_store_credit(
        order, amount_minor=2500, currency="USD", email=order.email, note="sorry"
    )

    [cancel] = shopify.calls("POST", r"/orders/450789469/cancel\.json$")
    assert cancel.body == {
        "reason": "customer",
        "email": False,
        "restock": True,
        "amount": "389.94",
        "currency": "USD",
    }
    [edit] = shopify.calls("PUT", r"/orders/450789469\.json$")
    assert edit.body["order"]["id"] == 450789469
    assert edit.body["order"]["shipping_address"] == {
        "first_name": "Bob",
        "last_name": "Norman",
        "company": "",
        "address1": "123 Ship Street",
        "address2": "",
        "city": "Shipsville",
        "province": "Kentucky",
        "zip": "40202",
        "country_code": "US",
        "phone": "+15024592181",
    }
    [create] = shopify.calls("POST", r"/admin/api/2024-10/orders\.json$")
    made = create.body["order"]
    assert made["line_items"] == [
        {"quantity": 1, "price": "0.00", "variant_id": 49148385, "sku": "IPOD2008RED"}
    ]
    assert (made["financial_status"], made["send_receipt"], made["note"]) == (
        "paid",
        False,
        "resend: arrived broken",
    )
    assert made["shipping_address"]["address1"] == "Chestnut Street 92"
    assert (replacement.external_id, replacement.details["number"]) == ("1073459984", "1002")
    [gift] = shopify.calls("POST", r"/gift_cards\.json$")
    assert gift.body["gift_card"]["initial_value"] == "25.00"
    assert credit.details["code"] == gift.body["gift_card"]["code"]
    assert credit.external_id == "1063936318"


def test_woocommerce_actions_send_the_documented_bodies(
    database: Database, woo: ShopServer
) -> None:
    store, order = _store_and_order(database, "woocommerce", woo.url)
    connector = connector_for(store)

    refund = connector.refund(
        order,
        lines=[RefundLine(item_external_id="315", quantity=1, amount_minor=300)],
        shipping_minor=1000,
        amount_minor=1300,
        restock=True,
        note="damaged",
    )
    connector.update_shipping_address(order, NEW_ADDRESS)
    connector.cancel(order, reason="customer asked", restock=True, refund=False)
    replacement = connector.create_replacement(
        order, lines=[{"product_id": "22", "variant_id": "23", "quantity": 1}], note="resend"
    )
    credit = connector.issue_store_credit(
        order, amount_minor=1000, currency="USD", email="john.doe@example.com", note="sorry"
    )

    [made] = woo.calls("POST", r"/orders/727/refunds$")
    assert made.body == {
        "amount": "13.00",
        "reason": "damaged",
        "api_refund": True,
        "api_restock": True,
        "line_items": [
            {"id": "315", "quantity": 1, "refund_total": "3.00"},
            {"id": "317", "refund_total": "10.00"},
        ],
    }
    assert refund.external_id == "726"
    address, status = woo.calls("PUT", r"/orders/727$")
    assert address.body["shipping"]["address_1"] == "123 Ship Street"
    assert status.body == {"status": "cancelled"}
    [created] = woo.calls("POST", r"/orders$")
    assert created.body["line_items"] == [
        {"quantity": 1, "subtotal": "0.00", "total": "0.00", "product_id": 22, "variation_id": 23}
    ]
    assert (created.body["set_paid"], created.body["billing"]["email"]) == (
        True,
        "john.doe@example.com",
    )
    assert replacement.external_id == "728"
    [coupon] = woo.calls("POST", r"/coupons$")
    assert coupon.body["email_restrictions"] == ["john.doe@example.com"]
    assert (coupon.body["amount"], coupon.body["usage_limit"]) == ("10.00", 1)
    assert credit.details["code"] == coupon.body["code"]


@pytest.mark.parametrize(
    ("platform", "answer", "reason"),
    [
        (
            "shopify",
            (422, fixture("shopify/error_422.json")),
            "Shopify refused: Refund amount must be less than or equal to the refundable "
            "amount 199.65",
        ),
        (
            "woocommerce",
            (400, fixture("woocommerce/error_400.json")),
            "WooCommerce refused: Refund amount must be greater than zero.",
        ),
        (
            "woocommerce",
            (500, fixture("woocommerce/error_500_refund.json")),
            "WooCommerce refused: An error occurred while attempting to create the refund "
            "using the payment gateway API.",
        ),
    ],
)
def test_a_refusal_quotes_the_providers_reason(
    database: Database, runtime: Runtime, platform: str, answer: tuple[int, Any], reason: str
) -> None:
    with ShopServer(platform).running() as server:
        store, order = _store_and_order(database, platform, server.url)
        server.refuse = answer
        lines = [RefundLine(item_external_id="1", quantity=1, amount_minor=100)]

        with pytest.raises(ConnectorRejected) as refused:
            connector_for(store).refund(
                order, lines=lines, shipping_minor=0, amount_minor=100, restock=False, note=""
            )

    assert refused.value.message == reason
    assert (refused.value.status, refused.value.code) == (422, "store_rejected")


def test_a_wrong_token_is_refused_with_shopifys_words(
    database: Database, shopify: ShopServer
) -> None:
    store, order = _store_and_order(database, "shopify", shopify.url)
    with database.unit_of_work() as session:
        stores.update_store(
            session,
            actor=Actor.system(),
            store_id=store.id,
            data=StoreFields(api_secret="shpat_wrong"),
        )
        store = session.get(Store, store.id)
        session.expunge(store)

    with pytest.raises(ConnectorRejected, match="Invalid API key or access token"):
        connector_for(store).update_shipping_address(order, NEW_ADDRESS)


def test_server_errors_and_unreachable_stores_are_unavailable(
    database: Database, shopify: ShopServer
) -> None:
    store, order = _store_and_order(database, "shopify", shopify.url)
    shopify.refuse = (503, {"errors": "Service Unavailable"})

    with pytest.raises(ConnectorUnavailable, match="Shopify answered 503: Service Unavailable"):
        connector_for(store).update_shipping_address(order, NEW_ADDRESS)

    gone = make_store(database, base_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(ConnectorUnavailable, match="could not be reached"):
        connector_for(gone).update_shipping_address(order, NEW_ADDRESS)
    admin_link = make_store(database, base_url=f"{shopify.url}/admin/orders")
    shopify.refuse = None
    assert connector_for(admin_link).update_shipping_address(order, NEW_ADDRESS).external_id
    remote = make_store(database, base_url="http://shop.example")
    with pytest.raises(ConnectorUnavailable, match="must be https"):
        connector_for(remote).update_shipping_address(order, NEW_ADDRESS)
    with database.sessions() as session:
        assert session.scalars(select(Order.number)).all() == ["1001"]


def test_woocommerce_over_https_authenticates_with_http_basic(
    database: Database, runtime: Runtime
) -> None:
    store = make_store(database, platform="woocommerce", base_url="https://shop.example/")

    with connector_for(store)._http() as http:  # type: ignore[attr-defined]
        request = http.client.build_request("GET", "/wp-json/wc/v3/orders")
        http.client.auth.auth_flow(request).__next__()

    assert str(request.url) == "https://shop.example/wp-json/wc/v3/orders"
    assert request.headers["authorization"].startswith("Basic ")
    assert "consumer_secret" not in str(request.url)
