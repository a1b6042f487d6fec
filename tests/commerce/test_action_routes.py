"""The actions API: idempotent actions, 4xx with reasons, approvals, store refusals."""

from typing import Any

import pytest
from sqlalchemy import select

from kefu.commerce.models import Order, OrderAction, Refund
from kefu.db import Database
from kefu.permissions import Role
from kefu.runtime import Runtime
from tests.api.helpers import headers_for, problem
from tests.commerce.actions_factories import NOW, REFUSAL, make_shop, set_policy


@pytest.fixture
def frozen(runtime: Runtime) -> Runtime:
    runtime.clock = lambda: NOW
    return runtime


def _refunds(database: Database, order_id: int) -> list[tuple[int, str | None]]:
    with database.sessions() as session:
        rows = session.scalars(select(Refund).where(Refund.order_id == order_id))
        return [(r.amount_minor, r.method) for r in rows]


def test_refund_is_done_once_per_key(client: Any, database: Database, frozen: Runtime) -> None:
    # given
    shop = make_shop(database)
    agent = headers_for(database, Role.AGENT)
    body = {"items": [{"item_id": shop.shirt_id, "quantity": 1}], "idempotency_key": "refund-0001"}
    # when: the same request twice
    first = client.post(f"/api/v1/orders/{shop.order_id}/refunds", json=body, headers=agent)
    again = client.post(f"/api/v1/orders/{shop.order_id}/refunds", json=body, headers=agent)
    # then
    assert first.status_code == 201, first.text
    assert (first.json()["status"], first.json()["amount_minor"]) == ("done", 2000)
    assert first.json()["checks"][0]["text"] == "Within your refund limit of $100.00"
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert again.json()["id"] == first.json()["id"]
    assert _refunds(database, shop.order_id) == [(2000, "original")]


@pytest.mark.parametrize(
    ("body", "code", "detail"),
    [
        (
            {"custom_minor": -100},
            "invalid_input",
            "custom_minor: Input should be greater than or equal to 0",
        ),
        (
            {"items": [{"item_id": "{shirt}", "quantity": 3}]},
            "policy_violation",
            "Only 2 of T-shirt (M) can be refunded (3 asked)",
        ),
        (
            {"shipping_minor": 900},
            "policy_violation",
            "Shipping refund $9.00 is more than the shipping left ($5.00)",
        ),
        ({}, "invalid_input", "Value error, choose items, shipping or an amount to refund"),
        (
            {"custom_minor": 100, "color": "red"},
            "invalid_input",
            "color: Extra inputs are not permitted",
        ),
    ],
)
def test_bad_refunds_are_refused_with_a_reason(
    client: Any, database: Database, frozen: Runtime, body: dict[str, Any], code: str, detail: str
) -> None:
    shop = make_shop(database)
    agent = headers_for(database, Role.AGENT)
    if "items" in body:
        body = {"items": [{"item_id": shop.shirt_id, "quantity": 3}]}
    response = client.post(f"/api/v1/orders/{shop.order_id}/refunds", json=body, headers=agent)
    assert problem(response, 422, code)["detail"] == detail
    assert _refunds(database, shop.order_id) == []


def test_already_refunded_and_cancel_after_fulfilment(
    client: Any, database: Database, frozen: Runtime
) -> None:
    shop = make_shop(database)
    manager = headers_for(database, Role.MANAGER)
    url = f"/api/v1/orders/{shop.order_id}"
    assert (
        client.post(f"{url}/refunds", json={"custom_minor": 6000}, headers=manager).status_code
        == 201
    )
    again = client.post(f"{url}/refunds", json={"custom_minor": 100}, headers=manager)
    body = problem(again, 422, "policy_violation")
    assert body["detail"] == "Already refunded in full"
    assert body["checks"] == [
        {"rule": "payment", "outcome": "failed", "text": "Already refunded in full"}
    ]
    cancel = client.post(f"{url}/cancel", json={}, headers=manager)
    assert problem(cancel, 422, "policy_violation")["detail"] == (
        "Already shipped: it cannot be cancelled; start a return instead"
    )


def test_over_the_limit_waits_for_a_manager_who_approves(
    client: Any, database: Database, frozen: Runtime
) -> None:
    shop = make_shop(database)
    set_policy(database, store_id=shop.store_id, agent_refund_limit_minor=1000)
    agent = headers_for(database, Role.AGENT)
    manager = headers_for(database, Role.MANAGER)
    asked = client.post(
        f"/api/v1/orders/{shop.order_id}/refunds",
        json={"items": [{"item_id": shop.mug_id, "quantity": 1}]},
        headers=agent,
    )
    assert asked.status_code == 202 and asked.json()["status"] == "pending_approval"
    assert _refunds(database, shop.order_id) == []
    problem(client.get("/api/v1/approvals", headers=agent), 403, "permission_denied")
    [waiting] = client.get("/api/v1/approvals", headers=manager).json()
    assert waiting["id"] == asked.json()["id"]
    approved = client.post(f"/api/v1/approvals/{waiting['id']}/approve", headers=manager)
    assert approved.status_code == 200 and approved.json()["status"] == "done"
    assert _refunds(database, shop.order_id) == [(1500, "original")]
    twice = client.post(f"/api/v1/approvals/{waiting['id']}/approve", headers=manager)
    assert problem(twice, 409, "conflict")["detail"] == "this request is already done"


def test_denial_needs_a_reason(client: Any, database: Database, frozen: Runtime) -> None:
    shop = make_shop(database)
    set_policy(database, store_id=shop.store_id, agent_refund_limit_minor=0)
    agent = headers_for(database, Role.AGENT)
    manager = headers_for(database, Role.MANAGER)
    asked = client.post(
        f"/api/v1/orders/{shop.order_id}/store-credits", json={"amount_minor": 500}, headers=agent
    )
    action_id = asked.json()["id"]
    problem(
        client.post(f"/api/v1/approvals/{action_id}/deny", json={"reason": " "}, headers=manager),
        422,
        "invalid_input",
    )
    denied = client.post(
        f"/api/v1/approvals/{action_id}/deny",
        json={"reason": "Already compensated"},
        headers=manager,
    )
    assert (denied.json()["status"], denied.json()["decision_reason"]) == (
        "denied",
        "Already compensated",
    )


def test_store_refusal_is_shown_and_nothing_is_refunded(
    client: Any, database: Database, frozen: Runtime
) -> None:
    shop = make_shop(database, platform="refusing")
    agent = headers_for(database, Role.AGENT)
    response = client.post(
        f"/api/v1/orders/{shop.order_id}/refunds",
        json={"items": [{"item_id": shop.shirt_id, "quantity": 1}]},
        headers=agent,
    )
    assert problem(response, 422, "store_rejected")["detail"] == REFUSAL
    assert _refunds(database, shop.order_id) == []
    with database.sessions() as session:
        order = session.get(Order, shop.order_id)
        statuses = list(session.scalars(select(OrderAction.status)))
    assert order is not None and (order.refunded_minor, order.payment_status) == (0, "paid")
    assert statuses == ["failed"]


def test_checks_preview_writes_nothing(client: Any, database: Database, frozen: Runtime) -> None:
    shop = make_shop(database)
    agent = headers_for(database, Role.AGENT)
    response = client.post(
        f"/api/v1/orders/{shop.order_id}/checks/return",
        json={"reason": "wrong_size", "items": [{"item_id": shop.shirt_id, "quantity": 1}]},
        headers=agent,
    )
    assert response.status_code == 200, response.text
    assert response.json()["allowed"] is True
    assert [c["text"] for c in response.json()["checks"]] == [
        "Within the 30-day return window (delivered 12 days ago)",
        "Within your refund limit of $100.00",
    ]
    assert client.get(f"/api/v1/orders/{shop.order_id}/actions", headers=agent).json() == []
