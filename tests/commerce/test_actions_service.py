"""Actions on orders through the services: policy, idempotency, approvals, store refusals."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from kefu.commerce import actions
from kefu.commerce.actions import approvals
from kefu.commerce.connectors import ConnectorRejected
from kefu.commerce.models import Order, OrderAction, OrderItem, Refund
from kefu.db import Database
from kefu.errors import Conflict, InvalidInput
from kefu.events import Event
from kefu.kit.actor import Actor
from kefu.permissions import Role
from kefu.tickets.messages import list_messages
from tests.accounts.factories import make_agent
from tests.commerce.actions_factories import NOW, REFUSAL, Shop, make_shop
from tests.tickets.factories import make_ticket

AGENT = Actor(kind="agent", name="Ann Agent", agent_id=None, role=Role.AGENT)


def _people(database: Database) -> tuple[Actor, Actor]:
    agent = make_agent(database, email="ann@example.com", name="Ann Agent")
    manager = make_agent(database, email="max@example.com", name="Max Manager", role=Role.MANAGER)
    return (
        Actor(kind="agent", name=agent.name, agent_id=agent.id, role=agent.role),
        Actor(kind="agent", name=manager.name, agent_id=manager.id, role=manager.role),
    )


def _do(
    database: Database,
    actor: Actor,
    shop: Shop,
    kind: str,
    key: str = "key-00001",
    **values: object,
) -> actions.Outcome:
    with database.unit_of_work(actor=actor) as session:
        data = actions.parse_request(kind, values)
        return actions.perform(
            session,
            actor=actor,
            order_id=shop.order_id,
            kind=kind,
            data=data,
            idempotency_key=key,
            now=NOW,
        )


def _order(database: Database, shop: Shop) -> tuple[Order, dict[int, OrderItem], list[Refund]]:
    with database.sessions() as session:
        order = session.get(Order, shop.order_id)
        items = {
            i.id: i
            for i in session.scalars(select(OrderItem).where(OrderItem.order_id == shop.order_id))
        }
        refunds = list(session.scalars(select(Refund).where(Refund.order_id == shop.order_id)))
        assert order is not None
        return order, items, refunds


def test_refund_of_one_item_within_policy_is_done_and_recorded(database: Database) -> None:
    # given
    agent, _ = _people(database)
    shop = make_shop(database)
    ticket = make_ticket(database)
    # when
    outcome = _do(
        database,
        agent,
        shop,
        "refund",
        items=[{"item_id": shop.shirt_id, "quantity": 1}],
        ticket_id=ticket.id,
    )
    # then
    assert outcome.action.status == "done"
    assert outcome.action.amount_minor == 2000
    assert [c.text for c in outcome.checks] == ["Within your refund limit of $100.00"]
    order, items, [refund] = _order(database, shop)
    assert (order.refunded_minor, order.payment_status) == (2000, "partially_refunded")
    assert items[shop.shirt_id].refunded_quantity == 1
    assert (refund.amount_minor, refund.items) == (
        2000,
        [{"item_id": shop.shirt_id, "quantity": 1, "amount_minor": 2000}],
    )
    with database.sessions() as session:
        texts = [(m.kind, m.body_text) for m in list_messages(session, ticket.id)]
        types = list(session.scalars(select(Event.type).where(Event.subject_type == "order")))
    assert texts[-2] == ("note", "Order #1001: refunded $20.00 (1 × T-shirt (M))")
    assert texts[-1][0] == "reply" and "We have refunded $20.00 for order #1001" in texts[-1][1]
    assert "order.refunded" in types


def test_double_submit_refunds_once(database: Database) -> None:
    agent, _ = _people(database)
    shop = make_shop(database)
    first = _do(
        database,
        agent,
        shop,
        "refund",
        key="same-key-1",
        items=[{"item_id": shop.mug_id, "quantity": 1}],
    )
    second = _do(
        database,
        agent,
        shop,
        "refund",
        key="same-key-1",
        items=[{"item_id": shop.mug_id, "quantity": 1}],
    )
    assert second.replayed and second.action.id == first.action.id
    order, _, refunds = _order(database, shop)
    assert (order.refunded_minor, len(refunds)) == (1500, 1)


def test_refund_over_agent_limit_needs_approval_then_approved(database: Database) -> None:
    # given: an order of $60 and a limit of $30
    agent, manager = _people(database)
    shop = make_shop(database)
    from tests.commerce.actions_factories import set_policy

    set_policy(database, store_id=shop.store_id, agent_refund_limit_minor=3000)
    ticket = make_ticket(database)
    # when
    outcome = _do(
        database,
        agent,
        shop,
        "refund",
        items=[{"item_id": shop.shirt_id, "quantity": 2}],
        ticket_id=ticket.id,
    )
    # then: waiting, nothing refunded
    assert outcome.action.status == "pending_approval"
    assert [c.text for c in outcome.checks if c.outcome == "needs_approval"] == [
        "Over your refund limit of $30.00: a manager must approve"
    ]
    assert _order(database, shop)[2] == []
    with database.unit_of_work(actor=manager) as session:
        [row] = approvals.list_pending(session, actor=manager)
        assert row.order.number == "1001"
        approvals.approve(session, actor=manager, action_id=outcome.action.id, now=NOW)
    order, _, [refund] = _order(database, shop)
    assert (order.refunded_minor, refund.amount_minor, refund.agent_id) == (
        4000,
        4000,
        agent.agent_id,
    )
    with database.sessions() as session:
        action = session.get(OrderAction, outcome.action.id)
        notes = [m.body_text for m in list_messages(session, ticket.id) if m.kind == "note"]
    assert action is not None and (action.status, action.decided_by_id) == (
        "done",
        manager.agent_id,
    )
    assert notes[-1] == "Order #1001: refunded $40.00 (2 × T-shirt (M)) (approved by Max Manager)"


def test_denied_request_tells_the_agent_why_and_refunds_nothing(database: Database) -> None:
    agent, manager = _people(database)
    shop = make_shop(database)
    from tests.commerce.actions_factories import set_policy

    set_policy(database, store_id=shop.store_id, agent_refund_limit_minor=1000)
    ticket = make_ticket(database)
    outcome = _do(
        database,
        agent,
        shop,
        "refund",
        items=[{"item_id": shop.shirt_id, "quantity": 1}],
        ticket_id=ticket.id,
    )
    with database.unit_of_work(actor=manager) as session:
        with pytest.raises(InvalidInput):
            approvals.deny(
                session, actor=manager, action_id=outcome.action.id, reason="  ", now=NOW
            )
        approvals.deny(
            session,
            actor=manager,
            action_id=outcome.action.id,
            reason="Offer store credit instead",
            now=NOW,
        )
    with database.unit_of_work(actor=manager) as session, pytest.raises(Conflict):
        approvals.approve(session, actor=manager, action_id=outcome.action.id, now=NOW)
    with database.sessions() as session:
        notes = [m.body_text for m in list_messages(session, ticket.id)]
    assert (
        notes[-1]
        == "Order #1001: Max Manager denied the refund of $20.00: Offer store credit instead"
    )
    assert _order(database, shop)[2] == []


def test_store_refusal_leaves_no_refund_and_keeps_the_reason(database: Database) -> None:
    agent, _ = _people(database)
    shop = make_shop(database, platform="refusing")
    ticket = make_ticket(database)
    with database.unit_of_work(actor=agent) as session:
        data = actions.parse_request(
            "refund", {"items": [{"item_id": shop.shirt_id, "quantity": 1}], "ticket_id": ticket.id}
        )
        with pytest.raises(ConnectorRejected) as refused:
            actions.perform(
                session,
                actor=agent,
                order_id=shop.order_id,
                kind="refund",
                data=data,
                idempotency_key="refused-1",
                now=NOW,
            )
    assert refused.value.message == REFUSAL
    order, items, refunds = _order(database, shop)
    assert (order.refunded_minor, order.payment_status, refunds) == (0, "paid", [])
    assert items[shop.shirt_id].refunded_quantity == 0
    with database.sessions() as session:
        rows = list(session.scalars(select(OrderAction)))
        messages = list_messages(session, ticket.id)
    assert [(a.status, a.error) for a in rows] == [("failed", REFUSAL)]
    assert len(messages) == 1  # the ticket's first note only: no refund note, no reply


def test_refund_of_more_than_ordered_or_refunded_is_refused(database: Database) -> None:
    agent, _ = _people(database)
    shop = make_shop(database)
    with pytest.raises(actions.ActionRefused) as refused:
        _do(database, agent, shop, "refund", items=[{"item_id": shop.shirt_id, "quantity": 3}])
    assert refused.value.message == "Only 2 of T-shirt (M) can be refunded (3 asked)"
    _do(
        database,
        agent,
        shop,
        "refund",
        key="all-of-it",
        items=[{"item_id": shop.shirt_id, "quantity": 2}, {"item_id": shop.mug_id, "quantity": 1}],
        shipping_minor=500,
    )
    with pytest.raises(actions.ActionRefused) as again:
        _do(database, agent, shop, "refund", key="once-more", custom_minor=100)
    assert again.value.message == "Already refunded in full"
    with pytest.raises(InvalidInput):
        actions.parse_request("refund", {"custom_minor": -5})


def test_cancel_before_fulfilment_refunds_and_after_is_refused(database: Database) -> None:
    agent, _ = _people(database)
    unshipped = make_shop(database, shipped=False, delivered_at=None)
    _do(database, agent, unshipped, "cancel", reason="customer")
    order, _, [refund] = _order(database, unshipped)
    assert (order.status, order.payment_status, refund.amount_minor) == (
        "cancelled",
        "refunded",
        6000,
    )
    shipped = make_order_shipped(database)
    with pytest.raises(actions.ActionRefused) as refused:
        _do(database, agent, shipped, "cancel", key="cancel-2")
    assert (
        refused.value.message == "Already shipped: it cannot be cancelled; start a return instead"
    )


def make_order_shipped(database: Database) -> Shop:
    from tests.commerce.actions_factories import make_order, make_store

    return make_order(database, store_id=make_store(database, name="Other"), number="2002")


def test_return_inside_window_is_created_outside_needs_approval(database: Database) -> None:
    agent, manager = _people(database)
    shop = make_shop(database)  # delivered 12 days ago
    inside = _do(
        database,
        agent,
        shop,
        "return",
        reason="wrong_size",
        items=[{"item_id": shop.shirt_id, "quantity": 1}],
    )
    assert inside.action.status == "done"
    assert "Within the 30-day return window (delivered 12 days ago)" in [
        c.text for c in inside.checks
    ]
    late = make_shop(database, number="3003", delivered_at=NOW - timedelta(days=45))
    outside = _do(
        database,
        agent,
        late,
        "return",
        key="late-ret1",
        reason="changed_mind",
        items=[{"item_id": late.mug_id, "quantity": 1}],
    )
    assert outside.action.status == "pending_approval"
    assert "Outside the 30-day return window (delivered 45 days ago): a manager must approve" in [
        c.text for c in outside.checks
    ]
    with database.unit_of_work(actor=manager) as session:
        approvals.approve(session, actor=manager, action_id=outside.action.id, now=NOW)
        assert approvals.get_action(session, outside.action.id).result["rma"].startswith("RMA-")


def test_final_sale_photos_and_restocking_fee(database: Database) -> None:
    from tests.commerce.actions_factories import set_policy

    agent, _ = _people(database)
    shop = make_shop(database, final_sale_mug=True)
    set_policy(
        database,
        store_id=shop.store_id,
        category="apparel",
        restocking_fee_percent=10,
        photo_reasons=["damaged"],
    )
    with pytest.raises(actions.ActionRefused) as final:
        _do(
            database,
            agent,
            shop,
            "return",
            reason="changed_mind",
            items=[{"item_id": shop.mug_id, "quantity": 1}],
        )
    assert final.value.message == "Final-sale item Mug: cannot be returned"
    with pytest.raises(actions.ActionRefused) as photos:
        _do(
            database,
            agent,
            shop,
            "return",
            reason="damaged",
            items=[{"item_id": shop.shirt_id, "quantity": 1}],
        )
    assert (
        photos.value.message
        == "Photos are required for the reason “Arrived damaged”: attach the customer's photos"
    )
    fee = _do(
        database,
        agent,
        shop,
        "return",
        reason="changed_mind",
        items=[{"item_id": shop.shirt_id, "quantity": 2}],
    )
    assert "A restocking fee of 10% applies: $4.00 is kept" in [c.text for c in fee.checks]
    assert fee.action.amount_minor == 3600
