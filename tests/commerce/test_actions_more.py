"""Exchanges, resends, store credit, return states, address changes, a concurrent double
submit, and a store refusing an approved request."""

import threading
import time

import pytest
from sqlalchemy import select

from kefu.commerce import actions
from kefu.commerce.actions import approvals, return_states
from kefu.commerce.connectors import ConnectorRejected
from kefu.commerce.models import Exchange, Order, OrderAction, OrderReturn, Refund, StoreCredit
from kefu.db import Database
from kefu.errors import Conflict, InvalidInput
from kefu.kit.actor import Actor
from kefu.permissions import Role
from tests.accounts.factories import make_agent
from tests.commerce.actions_factories import NOW, Shop, make_shop, set_policy

SYSTEM_AGENT = Actor(kind="agent", name="Ann", agent_id=None, role=Role.AGENT)


def _agent(database: Database, role: Role = Role.AGENT) -> Actor:
    made = make_agent(
        database, email=f"{role.value}@example.com", name=f"{role.value} one", role=role
    )
    return Actor(kind="agent", name=made.name, agent_id=made.id, role=made.role)


def _do(
    database: Database, actor: Actor, shop: Shop, kind: str, key: str, **values: object
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


def test_exchange_for_a_cheaper_variant_refunds_the_difference(database: Database) -> None:
    agent = _agent(database)
    shop = make_shop(database)
    outcome = _do(
        database,
        agent,
        shop,
        "exchange",
        "exchange-1",
        items_out=[{"item_id": shop.shirt_id, "quantity": 1}],
        items_in=[{"title": "T-shirt (S)", "sku": "TS-S", "quantity": 1, "unit_price_minor": 1500}],
    )
    assert outcome.action.status == "done"
    assert "The difference of $5.00 is refunded" in [c.text for c in outcome.checks]
    with database.sessions() as session:
        [exchange] = session.scalars(select(Exchange)).all()
        [refund] = session.scalars(select(Refund)).all()
    assert (exchange.difference_minor, refund.amount_minor) == (-500, 500)


def test_resend_and_store_credit(database: Database) -> None:
    agent = _agent(database)
    shop = make_shop(database)
    resent = _do(
        database,
        agent,
        shop,
        "resend",
        "resend-01",
        items=[{"item_id": shop.mug_id, "quantity": 1}],
    )
    assert resent.action.status == "done" and resent.action.amount_minor == 1500
    credit = _do(
        database, agent, shop, "store_credit", "credit-01", amount_minor=700, reason="late parcel"
    )
    with database.sessions() as session:
        [stored] = session.scalars(select(StoreCredit)).all()
    assert (stored.amount_minor, len(stored.code)) == (700, 12)
    assert credit.action.result["credit_code"] == stored.code


def test_address_change_before_shipping_only(database: Database) -> None:
    agent = _agent(database)
    shop = make_shop(database, shipped=False, delivered_at=None)
    address = {
        "name": "Emily Chen",
        "address1": "9 Elm St",
        "city": "Shelbyville",
        "country_code": "US",
    }
    _do(database, agent, shop, "edit_address", "address-1", address=address)
    with database.sessions() as session:
        order = session.get(Order, shop.order_id)
    assert order is not None and order.shipping_address["address1"] == "9 Elm St"
    shipped = make_shop(database, number="2002")
    with pytest.raises(actions.ActionRefused) as refused:
        _do(database, agent, shipped, "edit_address", "address-2", address=address)
    assert refused.value.message == "Already shipped: the address cannot be changed"


def test_return_is_received_then_refunded_less_the_restocking_fee(database: Database) -> None:
    agent = _agent(database)
    shop = make_shop(database)
    set_policy(database, store_id=shop.store_id, category="apparel", restocking_fee_percent=10)
    _do(
        database,
        agent,
        shop,
        "return",
        "return-01",
        reason="changed_mind",
        items=[{"item_id": shop.shirt_id, "quantity": 1}],
    )
    with database.unit_of_work(actor=agent) as session:
        [returned] = session.scalars(select(OrderReturn)).all()
        with pytest.raises(Conflict):
            return_states.transition_return(
                session, actor=agent, return_id=returned.id, state="refunded", now=NOW
            )
        return_states.transition_return(
            session, actor=agent, return_id=returned.id, state="received", now=NOW
        )
        return_states.transition_return(
            session, actor=agent, return_id=returned.id, state="refunded", now=NOW
        )
    with database.sessions() as session:
        order = session.get(Order, shop.order_id)
        [refund] = session.scalars(select(Refund)).all()
        returned = session.scalars(select(OrderReturn)).one()
    assert (returned.state, refund.amount_minor, refund.restock) == ("refunded", 1800, True)
    assert order is not None and order.refunded_minor == 1800


def test_rejected_return_needs_a_reason_and_frees_the_items(database: Database) -> None:
    agent = _agent(database)
    shop = make_shop(database)
    _do(
        database,
        agent,
        shop,
        "return",
        "return-02",
        reason="wrong_size",
        items=[{"item_id": shop.shirt_id, "quantity": 2}],
    )
    with database.unit_of_work(actor=agent) as session:
        returned = session.scalars(select(OrderReturn)).one()
        with pytest.raises(InvalidInput):
            return_states.transition_return(
                session, actor=agent, return_id=returned.id, state="rejected", now=NOW
            )
        return_states.transition_return(
            session, actor=agent, return_id=returned.id, state="rejected", reason="Worn", now=NOW
        )
    again = _do(
        database,
        agent,
        shop,
        "return",
        "return-03",
        reason="wrong_size",
        items=[{"item_id": shop.shirt_id, "quantity": 2}],
    )
    assert again.action.status == "done"


def test_photos_must_be_attachments_of_the_ticket(database: Database) -> None:
    agent = _agent(database)
    shop = make_shop(database)
    with pytest.raises(InvalidInput, match="give the ticket_id"):
        _do(
            database,
            agent,
            shop,
            "return",
            "return-04",
            reason="damaged",
            items=[{"item_id": shop.mug_id, "quantity": 1}],
            photos=[99],
        )
    with database.sessions() as session:
        assert session.scalars(select(OrderAction)).all() == []


def test_concurrent_double_submit_acts_once(database: Database) -> None:
    # given: the first submit has written its action but not committed yet
    agent = _agent(database)
    shop = make_shop(database)
    values = {"items": [{"item_id": shop.mug_id, "quantity": 1}]}
    first = database.sessions()
    data = actions.parse_request("refund", values)
    actions.perform(
        first,
        actor=agent,
        order_id=shop.order_id,
        kind="refund",
        data=data,
        idempotency_key="twice-000",
        now=NOW,
    )
    second: list[actions.Outcome] = []
    # when: the second submit of the same form arrives meanwhile
    racer = threading.Thread(
        target=lambda: second.append(_do(database, agent, shop, "refund", "twice-000", **values))
    )
    racer.start()
    time.sleep(0.3)  # the racer now waits on the first's lock (the unique key or the write lock)
    first.commit()
    first.close()
    racer.join(timeout=30)
    # then
    assert second and second[0].replayed
    with database.sessions() as session:
        assert session.scalars(select(Refund.amount_minor)).all() == [1500]


def test_store_refusing_an_approved_request_keeps_it_pending(database: Database) -> None:
    agent = _agent(database)
    manager = _agent(database, Role.MANAGER)
    shop = make_shop(database, platform="refusing")
    set_policy(database, store_id=shop.store_id, agent_refund_limit_minor=0)
    asked = _do(
        database,
        agent,
        shop,
        "refund",
        "refund-99",
        items=[{"item_id": shop.mug_id, "quantity": 1}],
    )
    assert asked.action.status == "pending_approval"
    with database.unit_of_work(actor=manager) as session, pytest.raises(ConnectorRejected):
        approvals.approve(session, actor=manager, action_id=asked.action.id, now=NOW)
    with database.sessions() as session:
        action = session.get(OrderAction, asked.action.id)
        refunds = session.scalars(select(Refund)).all()
    assert action is not None and (action.status, action.error) == (
        "pending_approval",
        "Refund amount must be less than or equal to 45.00",
    )
    assert refunds == []


def test_customer_confirmation_follows_the_store_language(database: Database) -> None:
    # given a Chinese-speaking store and Emily's ticket
    from tests.commerce.actions_factories import make_order, make_store
    from tests.tickets.factories import make_ticket

    agent = _agent(database)
    shop = make_order(database, store_id=make_store(database, language="zh_Hans"))
    ticket = make_ticket(database)
    # when
    _do(
        database,
        agent,
        shop,
        "refund",
        "zh-refund",
        items=[{"item_id": shop.mug_id, "quantity": 1}],
        ticket_id=ticket.id,
    )
    # then the reply is in Chinese, the note for colleagues in the agent's language
    from kefu.tickets.messages import list_messages

    with database.sessions() as session:
        *_, note, reply = list_messages(session, ticket.id)
    assert note.body_text == "Order #1001: refunded $15.00 (1 × Mug)"
    assert reply.body_text.startswith("您好，\n\n我们已为订单 #1001（1 × Mug）退款 US$15.00。")
