"""The action forms beside a ticket, the approval queue and the policy pages."""

import re
from typing import Any

import pytest
from sqlalchemy import select

from kefu.commerce.models import OrderAction, Policy, Refund
from kefu.db import Database
from kefu.permissions import Role
from kefu.runtime import Runtime
from tests.commerce.actions_factories import NOW, REFUSAL, Shop, make_shop, set_policy
from tests.tickets.factories import receive
from tests.tickets.test_pages import signed_in, token


@pytest.fixture
def frozen(runtime: Runtime) -> Runtime:
    runtime.clock = lambda: NOW
    return runtime


def _ticket(database: Database) -> int:
    return receive(database, subject="Order 1001", text="The shirt is too small.").ticket_id


def _form(client: Any, ticket_id: int, shop: Shop, kind: str) -> str:
    response = client.get(f"/tickets/{ticket_id}/orders/{shop.order_id}/actions/{kind}")
    assert response.status_code == 200, response.text
    match = re.search(r'name="idempotency_key" value="([^"]+)"', response.text)
    assert match
    return match.group(1)


def _refunds(database: Database) -> list[int]:
    with database.sessions() as session:
        return list(session.scalars(select(Refund.amount_minor)))


def test_refund_from_the_ticket_with_live_checks_acts_once(
    client: Any, database: Database, frozen: Runtime
) -> None:
    # given an agent on Emily's ticket, her order beside it
    shop = make_shop(database)
    ticket_id = _ticket(database)
    signed_in(client, database)
    page = client.get(f"/tickets/{ticket_id}").text
    assert f'hx-get="/tickets/{ticket_id}/orders/{shop.order_id}/actions/refund"' in page
    csrf = token(client, f"/tickets/{ticket_id}")
    key = _form(client, ticket_id, shop, "refund")
    base = f"/tickets/{ticket_id}/orders/{shop.order_id}/actions/refund"
    fields = {
        "csrf_token": csrf,
        "idempotency_key": key,
        f"qty_{shop.shirt_id}": "1",
        "notify_customer": "1",
    }
    # when the agent types a quantity, the checks follow
    checks = client.post(f"{base}/checks", data=fields)
    assert "Within your refund limit of $100.00" in checks.text
    # and submits twice
    done = client.post(base, data=fields)
    again = client.post(base, data=fields)
    # then
    assert "Refund done." in done.text and "$20.00" in done.text
    assert "already submitted" in again.text
    assert _refunds(database) == [2000]
    listed = client.get(f"/tickets/{ticket_id}/orders/{shop.order_id}/actions").text
    assert 'data-status="done"' in listed


def test_refused_form_keeps_what_the_agent_typed(
    client: Any, database: Database, frozen: Runtime
) -> None:
    shop = make_shop(database)
    ticket_id = _ticket(database)
    signed_in(client, database)
    csrf = token(client, f"/tickets/{ticket_id}")
    key = _form(client, ticket_id, shop, "refund")
    base = f"/tickets/{ticket_id}/orders/{shop.order_id}/actions/refund"
    too_many = client.post(
        base,
        data={
            "csrf_token": csrf,
            "idempotency_key": key,
            f"qty_{shop.shirt_id}": "5",
            "reason": "too small",
        },
    )
    assert "Only 2 of T-shirt (M) can be refunded (5 asked)" in too_many.text
    assert 'value="5"' in too_many.text and 'value="too small"' in too_many.text
    negative = client.post(base, data={"csrf_token": csrf, "idempotency_key": key, "custom": "-3"})
    assert "Amounts cannot be negative." in negative.text
    assert _refunds(database) == []


def test_store_refusal_is_shown_in_the_form(
    client: Any, database: Database, frozen: Runtime
) -> None:
    shop = make_shop(database, platform="refusing")
    ticket_id = _ticket(database)
    signed_in(client, database)
    csrf = token(client, f"/tickets/{ticket_id}")
    key = _form(client, ticket_id, shop, "refund")
    base = f"/tickets/{ticket_id}/orders/{shop.order_id}/actions/refund"
    refused = client.post(
        base, data={"csrf_token": csrf, "idempotency_key": key, f"qty_{shop.mug_id}": "1"}
    )
    assert f"The store refused: {REFUSAL}" in refused.text
    assert 'value="1"' in refused.text
    assert _refunds(database) == []


def test_manager_approves_and_denies_from_the_queue(
    client: Any, database: Database, frozen: Runtime
) -> None:
    # given two requests over a $10 limit
    shop = make_shop(database)
    set_policy(database, store_id=shop.store_id, agent_refund_limit_minor=1000)
    ticket_id = _ticket(database)
    signed_in(client, database)
    csrf = token(client, f"/tickets/{ticket_id}")
    base = f"/tickets/{ticket_id}/orders/{shop.order_id}/actions/refund"
    for item_id in (shop.shirt_id, shop.mug_id):
        key = _form(client, ticket_id, shop, "refund")
        asked = client.post(
            base, data={"csrf_token": csrf, "idempotency_key": key, f"qty_{item_id}": "1"}
        )
        assert "sent to a manager for approval" in asked.text
    assert client.get("/approvals").status_code == 403
    client.post("/logout", data={"csrf_token": csrf})
    signed_in(client, database, role=Role.MANAGER)
    # when the manager opens the queue
    queue = client.get("/approvals").text
    assert "Over your refund limit of $10.00: a manager must approve" in queue
    assert client.get("/approvals/badge").text.strip().endswith("2</span>")
    with database.sessions() as session:
        first, second = session.scalars(select(OrderAction.id).order_by(OrderAction.id)).all()
    csrf = token(client, "/approvals")
    approved = client.post(f"/approvals/{first}/approve", data={"csrf_token": csrf})
    denied = client.post(
        f"/approvals/{second}/deny", data={"csrf_token": csrf, "reason": "Mug was a gift"}
    )
    # then
    assert approved.status_code == denied.status_code == 303
    assert _refunds(database) == [2000]
    with database.sessions() as session:
        statuses = session.scalars(select(OrderAction.status).order_by(OrderAction.id)).all()
    assert statuses == ["done", "denied"]
    assert "Mug was a gift" in client.get(f"/tickets/{ticket_id}").text


def test_manager_writes_a_policy(client: Any, database: Database, frozen: Runtime) -> None:
    shop = make_shop(database)
    signed_in(client, database, role=Role.MANAGER)
    page = client.get(f"/admin/policies?store_id={shop.store_id}")
    assert page.status_code == 200
    saved = client.post(
        f"/admin/policies/{shop.store_id}",
        data={
            "csrf_token": token(client, "/admin/policies"),
            "category": "apparel",
            "return_window_days": "14",
            "restocking_fee_percent": "15",
            "photo_reasons": ["damaged", "defective"],
            "agent_refund_limit": "50.00",
        },
    )
    assert saved.status_code == 303
    with database.sessions() as session:
        [policy] = session.scalars(select(Policy)).all()
    assert (policy.category, policy.return_window_days, policy.restocking_fee_percent) == (
        "apparel",
        14,
        15,
    )
    assert (policy.photo_reasons, policy.agent_refund_limit_minor) == (
        ["damaged", "defective"],
        5000,
    )
