"""Demo step: written policies for both shops, and what agents did on some demo orders —
refunds, returns in several states, a return waiting for a manager's approval — done through
the same action services as the ticket page, so the approvals queue and the returns
dashboard are not empty."""

import random
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.commerce import policies
from kefu.commerce.action_schemas import RefundRequest, ReturnRequest
from kefu.commerce.actions.core import Outcome, new_key, perform
from kefu.commerce.actions.return_states import transition_return
from kefu.commerce.models import Order, OrderItem, Store, TicketOrder
from kefu.db import Database
from kefu.demo import DEMO_ADMIN_EMAIL, DemoStep
from kefu.errors import KefuError
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow

ACTIONS_PER_SCALE = 100
REASONS = ["wrong_size", "damaged", "not_as_described", "changed_mind", "defective"]


def _policies(database: Database, admin: Actor) -> None:
    with database.unit_of_work(actor=admin) as session:
        for store in session.scalars(select(Store)):
            chinese = store.currency == "CNY"
            rules = [
                policies.PolicyIn(
                    return_window_days=7 if chinese else 30,
                    photo_reasons=["damaged", "defective"],
                    agent_refund_limit_minor=70000 if chinese else 10000,
                ),
                policies.PolicyIn(
                    category="食品" if chinese else "accessories", is_final_sale=True
                ),
                policies.PolicyIn(
                    category="服装" if chinese else "footwear",
                    return_window_days=15 if chinese else 60,
                    restocking_fee_percent=0 if chinese else 10,
                ),
            ]
            known = {p.category for p in policies.list_policies(session, store.id)}
            for rule in rules:
                if rule.category not in known:
                    policies.save_policy(session, actor=admin, store_id=store.id, data=rule)


def run(database: Database, scale: int, advance: Callable[[int], None]) -> int:
    rng = random.Random(20261125)
    with database.sessions() as session:
        found = accounts.find_agent_by_email(session, DEMO_ADMIN_EMAIL)
        assert found is not None, "the team step runs first"
        admin = accounts.actor_for(found)
        agents = [
            accounts.actor_for(a)
            for a in accounts.list_agents(session, actor=admin, include_inactive=False)
            if a.role == "agent"
        ]
        linked = list(session.execute(select(TicketOrder.order_id, TicketOrder.ticket_id)))
    _policies(database, admin)
    done = 0
    chosen = linked[: ACTIONS_PER_SCALE * scale]
    for order_id, ticket_id in chosen:
        agent = rng.choice(agents or [admin])
        done += _act(database, rng, agent, admin, order_id, ticket_id)
        advance(1)
    advance(ACTIONS_PER_SCALE * scale - len(chosen))
    return done


def _act(
    database: Database,
    rng: random.Random,
    agent: Actor,
    admin: Actor,
    order_id: int,
    ticket_id: int,
) -> int:
    roll = rng.random()
    with database.unit_of_work(actor=agent) as session:
        order = session.get(Order, order_id)
        items = list(session.scalars(select(OrderItem).where(OrderItem.order_id == order_id)))
        if order is None or not items or order.payment_status != "paid":
            return 0
        item = rng.choice(items)
        common = {"ticket_id": ticket_id, "notify_customer": False}
        try:
            with session.begin_nested():
                if roll < 0.3:
                    data = RefundRequest(
                        items=[{"item_id": item.id, "quantity": 1}],  # type: ignore[list-item]
                        reason=rng.choice(REASONS),
                        **common,
                    )
                    perform(
                        session,
                        actor=agent,
                        order_id=order_id,
                        kind="refund",
                        data=data,
                        idempotency_key=new_key(),
                        now=utcnow(),
                    )
                elif roll < 0.6:
                    data_return = ReturnRequest(
                        reason=rng.choice(["wrong_size", "not_as_described", "changed_mind"]),
                        items=[{"item_id": item.id, "quantity": 1}],  # type: ignore[list-item]
                        **common,
                    )
                    outcome = perform(
                        session,
                        actor=agent,
                        order_id=order_id,
                        kind="return",
                        data=data_return,
                        idempotency_key=new_key(),
                        now=utcnow(),
                    )
                    _move_on(session, admin, outcome, rng)
                else:
                    return 0
        except KefuError:
            return 0  # the policy refuses it (final sale, outside the window): like an agent
    return 1


def _move_on(session: Session, admin: Actor, outcome: Outcome, rng: random.Random) -> None:
    """Some approved returns travel on: in transit, then received."""
    return_id = (outcome.action.result or {}).get("return_id")
    if return_id is None:
        return  # waiting for a manager's approval
    for state in rng.choice([[], ["in_transit"], ["in_transit", "received"]]):
        transition_return(session, actor=admin, return_id=return_id, state=state, now=utcnow())


STEP = DemoStep(name="orders actions", run=run, size=lambda scale: ACTIONS_PER_SCALE * scale)
