"""The issue's refusal case end to end: the local Shopify-format server answers 422 to a
refund an agent asks for through kefu's API; kefu keeps no half-done refund and answers with
Shopify's own reason."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from kefu.commerce import orders
from kefu.commerce.connectors import shopify_mapping
from kefu.commerce.models import Order, OrderAction, OrderItem, Refund, Store
from kefu.db import Database
from kefu.permissions import Role
from kefu.runtime import Runtime
from tests.api.helpers import headers_for, problem
from tests.commerce.shop_factories import fixture, make_store
from tests.commerce.shop_servers import ShopServer


@pytest.fixture
def shopify(runtime: Runtime) -> Iterator[ShopServer]:
    with ShopServer("shopify").running() as server:
        yield server


def test_refund_shopify_refuses_leaves_nothing_and_quotes_shopify(
    client: Any, database: Database, shopify: ShopServer
) -> None:
    # given a Shopify order in kefu, and Shopify about to refuse
    store = make_store(database, platform="shopify", base_url=shopify.url)
    with database.unit_of_work() as session:
        stored = session.get(Store, store.id)
        order, _ = orders.upsert_order(
            session, store=stored, data=shopify_mapping.order(fixture("shopify/order.json"))
        )
        order_id = order.id
        item_id = session.scalars(
            select(OrderItem.id)
            .where(
                OrderItem.order_id == order_id,
                OrderItem.quantity > OrderItem.refunded_quantity,
            )
            .order_by(OrderItem.id)
        ).first()
        item_before = session.get(OrderItem, item_id)
        refunded_quantity_before = item_before.refunded_quantity if item_before else -1
        refunds_before = session.scalar(select(func.count()).select_from(Refund))
        refunded_before = order.refunded_minor
    shopify.refuse = (422, fixture("shopify/error_422.json"))
    manager = headers_for(database, Role.MANAGER)
    # when
    response = client.post(
        f"/api/v1/orders/{order_id}/refunds",
        json={"items": [{"item_id": item_id, "quantity": 1}]},
        headers=manager,
    )
    # then the agent reads Shopify's reason, and kefu holds no new refund
    body = problem(response, 422, "store_rejected")
    assert body["detail"] == (
        "Shopify refused: Refund amount must be less than or equal to the refundable amount 199.65"
    )
    assert shopify.calls("POST", r"/orders/450789469/refunds")
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Refund)) == refunds_before
        stored_order = session.get(Order, order_id)
        assert stored_order is not None and stored_order.refunded_minor == refunded_before
        assert list(session.scalars(select(OrderAction.status))) == ["failed"]
        item = session.get(OrderItem, item_id)
        assert item is not None and item.refunded_quantity == refunded_quantity_before
