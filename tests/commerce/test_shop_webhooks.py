"""Shopify and WooCommerce webhooks through HTTP: signed, tampered, replayed, out of order."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from kefu.commerce.models import Fulfilment, Order, OrderItem, Refund
from kefu.customers.models import CustomerIdentity
from kefu.db import Database
from kefu.events import Event as OutboxEvent
from tests.commerce.shop_factories import (
    body_of,
    fixture,
    make_store,
    shopify_headers,
    signature,
    woo_headers,
)

SHOPIFY = "/api/v1/webhooks/shopify/{}"
WOO = "/api/v1/webhooks/woocommerce/{}"


def _count(database: Database, model: type[Any]) -> int:
    with database.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _order(database: Database) -> Order:
    with database.sessions() as session:
        order = session.scalars(select(Order)).one()
        session.expunge(order)
        return order


def _post_shopify(
    client: Any, store_id: int, payload: Any, *, topic: str, webhook_id: str, **kw: Any
) -> Any:
    body = body_of(payload)
    headers = shopify_headers(body, topic=topic, webhook_id=webhook_id, **kw)
    return client.post(SHOPIFY.format(store_id), content=body, headers=headers)


def test_signed_shopify_order_is_stored(client: Any, database: Database) -> None:
    # given
    store = make_store(database)
    # when
    response = _post_shopify(
        client, store.id, fixture("shopify/order.json"), topic="orders/create", webhook_id="w-1"
    )
    # then
    assert response.status_code == 200
    assert response.json()["status"] == "stored"
    order = _order(database)
    assert (order.number, order.total_minor, order.refunded_minor) == ("1001", 59894, 20900)
    assert (
        _count(database, OrderItem),
        _count(database, Fulfilment),
        _count(database, Refund),
    ) == (
        3,
        1,
        1,
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"X-Shopify-Hmac-Sha256": signature(b"something else")}, "does not match the body"),
        ({"X-Shopify-Hmac-Sha256": ""}, "header is missing"),
    ],
)
def test_tampered_or_unsigned_shopify_webhook_is_refused_and_nothing_stored(
    client: Any, database: Database, change: dict[str, str], reason: str
) -> None:
    store = make_store(database)
    body = body_of(fixture("shopify/order.json"))
    headers = {**shopify_headers(body, topic="orders/create", webhook_id="w-1"), **change}

    response = client.post(SHOPIFY.format(store.id), content=body, headers=headers)

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"
    assert reason in response.json()["detail"]
    assert (_count(database, Order), _count(database, OutboxEvent)) == (0, 0)


def test_a_body_changed_after_signing_is_refused(client: Any, database: Database) -> None:
    store = make_store(database)
    payload = fixture("shopify/order.json")
    headers = shopify_headers(body_of(payload), topic="orders/create", webhook_id="w-1")
    payload["total_price"] = "0.01"

    response = client.post(SHOPIFY.format(store.id), content=body_of(payload), headers=headers)

    assert response.status_code == 401
    assert _count(database, Order) == 0


def test_a_replayed_delivery_changes_nothing(client: Any, database: Database) -> None:
    store = make_store(database)
    payload = fixture("shopify/order.json")
    first = _post_shopify(client, store.id, payload, topic="orders/create", webhook_id="w-1")
    events = _count(database, OutboxEvent)

    again = _post_shopify(client, store.id, payload, topic="orders/create", webhook_id="w-1")

    assert (first.json()["status"], again.json()["status"]) == ("stored", "duplicate")
    assert again.json()["order_id"] == first.json()["order_id"]
    assert (_count(database, Order), _count(database, OutboxEvent)) == (1, events)


def test_an_older_update_after_a_newer_one_is_ignored(client: Any, database: Database) -> None:
    # given the newer version arrived first
    store = make_store(database)
    newer = fixture("shopify/order.json")
    newer.update(updated_at="2008-01-12T09:00:00-05:00", note="newer", cancelled_at=None)
    older = fixture("shopify/order.json")
    older.update(updated_at="2008-01-11T09:00:00-05:00", note="older")
    _post_shopify(client, store.id, newer, topic="orders/updated", webhook_id="w-2")
    # when the older one comes late
    response = _post_shopify(client, store.id, older, topic="orders/updated", webhook_id="w-1")
    # then
    assert response.json()["status"] == "unchanged"
    assert _order(database).note == "newer"


def test_cancelled_refund_fulfilment_and_customer_topics(client: Any, database: Database) -> None:
    store = make_store(database)
    order = fixture("shopify/order.json")
    order["refunds"] = []
    _post_shopify(client, store.id, order, topic="orders/create", webhook_id="w-1")
    refund = fixture("shopify/refund.json")
    shipment = fixture("shopify/fulfillment.json")
    shipment.update(
        status="success", shipment_status="delivered", updated_at="2024-01-03T10:00:00-05:00"
    )
    # Shopify's later order payloads include the refund made meanwhile
    cancelled = {
        **fixture("shopify/order.json"),
        "cancelled_at": "2008-01-11T10:00:00-05:00",
        "cancel_reason": "customer",
    }
    cancelled["updated_at"] = "2008-01-11T10:00:00-05:00"

    answers = [
        _post_shopify(client, store.id, refund, topic="refunds/create", webhook_id="w-2"),
        _post_shopify(client, store.id, refund, topic="refunds/create", webhook_id="w-3"),
        _post_shopify(client, store.id, shipment, topic="fulfillments/update", webhook_id="w-4"),
        _post_shopify(client, store.id, cancelled, topic="orders/cancelled", webhook_id="w-5"),
        _post_shopify(
            client,
            store.id,
            fixture("shopify/customer.json"),
            topic="customers/update",
            webhook_id="w-6",
        ),
    ]

    assert [a.json()["status"] for a in answers] == [
        "stored",
        "unchanged",
        "stored",
        "stored",
        "stored",
    ]
    stored = _order(database)
    assert (stored.status, stored.cancel_reason, stored.refunded_minor) == (
        "cancelled",
        "customer",
        20900,
    )
    with database.sessions() as session:
        [fulfilment] = session.scalars(select(Fulfilment)).all()
        assert (fulfilment.status, fulfilment.carrier) == ("delivered", "usps")
        refunded = {
            row.external_id: row.refunded_quantity
            for row in session.execute(select(OrderItem.external_id, OrderItem.refunded_quantity))
        }
        assert refunded == {"466157049": 1, "518995019": 0, "703073504": 1}
        ref = session.scalar(select(CustomerIdentity.value).where(CustomerIdentity.kind == "store"))
        assert ref == f"{store.id}:207119551"


def test_an_order_deleted_in_shopify_stays_as_cancelled(client: Any, database: Database) -> None:
    store = make_store(database)
    _post_shopify(
        client, store.id, fixture("shopify/order.json"), topic="orders/create", webhook_id="w-1"
    )

    deleted = _post_shopify(
        client, store.id, {"id": 450789469}, topic="orders/delete", webhook_id="w-2"
    )

    assert deleted.json()["status"] == "stored"
    order = _order(database)
    assert (order.status, order.cancel_reason) == ("cancelled", "deleted in the store")


def test_unknown_inactive_and_wrong_platform_stores(client: Any, database: Database) -> None:
    woo = make_store(database, platform="woocommerce")
    off = make_store(database, is_active=False)
    body = body_of(fixture("shopify/order.json"))
    headers = shopify_headers(body, topic="orders/create", webhook_id="w-1")

    assert client.post(SHOPIFY.format(999), content=body, headers=headers).status_code == 404
    assert client.post(SHOPIFY.format(woo.id), content=body, headers=headers).status_code == 404
    gone = client.post(SHOPIFY.format(off.id), content=body, headers=headers)
    assert (gone.status_code, gone.json()["code"]) == (410, "store_inactive")


def test_bad_json_is_a_422_with_a_reason_and_too_large_a_413(
    client: Any, database: Database
) -> None:
    store = make_store(database)
    body = b'{"id": 1, "name": '
    headers = shopify_headers(body, topic="orders/create", webhook_id="w-1")
    bad = client.post(SHOPIFY.format(store.id), content=body, headers=headers)
    nul = body_of({"id": 1, "note": "a\x00b"})
    with_nul = client.post(
        SHOPIFY.format(store.id),
        content=nul,
        headers=shopify_headers(nul, topic="orders/create", webhook_id="w-2"),
    )
    missing = body_of({"id": 5, "currency": "USD"})
    incomplete = client.post(
        SHOPIFY.format(store.id),
        content=missing,
        headers=shopify_headers(missing, topic="orders/create", webhook_id="w-3"),
    )
    huge = b"{" + b" " * 5_000_001 + b"}"
    too_large = client.post(
        SHOPIFY.format(store.id),
        content=huge,
        headers=shopify_headers(huge, topic="orders/create", webhook_id="w-4"),
    )

    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_input")
    assert "the body is not JSON" in bad.json()["detail"]
    assert with_nul.status_code == 422
    assert incomplete.status_code == 422 and "placed_at" in incomplete.json()["detail"]
    assert too_large.status_code == 413
    assert _count(database, Order) == 0


def test_webhooks_need_no_session_or_csrf_and_other_topics_are_acknowledged(
    client: Any, database: Database
) -> None:
    store = make_store(database)
    client.cookies.set("kefu_session", "not-a-session")

    response = _post_shopify(client, store.id, {"id": 1}, topic="products/update", webhook_id="w-1")

    assert (response.status_code, response.json()["status"]) == (200, "ignored")


def test_woocommerce_order_webhooks_ping_and_delete(client: Any, database: Database) -> None:
    store = make_store(database, platform="woocommerce")
    ping = client.post(
        WOO.format(store.id),
        content=b"webhook_id=12",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    payload = fixture("woocommerce/order.json")
    body = body_of(payload)
    created = client.post(
        WOO.format(store.id),
        content=body,
        headers=woo_headers(body, topic="order.created", delivery_id="d-1"),
    )
    tampered = client.post(
        WOO.format(store.id),
        content=body.replace(b"29.35", b"0.01"),
        headers=woo_headers(body, topic="order.updated", delivery_id="d-2"),
    )
    deleted_body = body_of({"id": 727})
    deleted = client.post(
        WOO.format(store.id),
        content=deleted_body,
        headers=woo_headers(deleted_body, topic="order.deleted", delivery_id="d-3"),
    )

    assert (ping.status_code, ping.json()["status"]) == (200, "pong")
    assert created.json()["status"] == "stored"
    assert (tampered.status_code, tampered.json()["code"]) == (401, "invalid_signature")
    assert deleted.json()["status"] == "stored"
    order = _order(database)
    assert (order.total_minor, order.status, order.cancel_reason) == (
        2935,
        "cancelled",
        "deleted in the store",
    )


def test_woocommerce_unsigned_json_is_not_a_ping(client: Any, database: Database) -> None:
    store = make_store(database, platform="woocommerce")

    response = client.post(
        WOO.format(store.id),
        content=b"webhook_id=12",
        headers={"Content-Type": "application/json"},
    )

    assert response.status_code == 401
    assert _count(database, Order) == 0
