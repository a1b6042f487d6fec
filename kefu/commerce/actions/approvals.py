"""Approvals: actions above an agent's limit wait for a manager, who approves (the action
is then done and pushed exactly as the agent's would be) or denies it with a reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kefu.commerce import orders
from kefu.commerce.action_schemas import REQUEST_SCHEMAS
from kefu.commerce.actions.core import execute, stored_checks
from kefu.commerce.actions.record import record_denial
from kefu.commerce.checks import evaluate
from kefu.commerce.connectors import ConnectorRejected, ConnectorUnavailable
from kefu.commerce.facts import Check, facts_for
from kefu.commerce.models import Order, OrderAction
from kefu.errors import Conflict, InvalidInput, NotFound
from kefu.kit.actor import Actor
from kefu.permissions import require

PENDING = "pending_approval"


def get_action(session: Session, action_id: int) -> OrderAction:
    action = session.get(OrderAction, action_id)
    if action is None:
        raise NotFound(f"order action {action_id} does not exist")
    return action


@dataclass
class PendingRow:
    action: OrderAction
    order: Order
    checks: list[Check]


def list_pending(session: Session, *, actor: Actor, limit: int = 200) -> list[PendingRow]:
    """The manager's queue: oldest first, each with its order and the checks that sent it."""
    require(actor, "orders.approve")
    statement = (
        select(OrderAction, Order)
        .join(Order, Order.id == OrderAction.order_id)
        .where(OrderAction.status == PENDING)
        .order_by(OrderAction.created_at, OrderAction.id)
        .limit(limit)
    )
    return [PendingRow(a, o, stored_checks(a)) for a, o in session.execute(statement).all()]


def pending_count(session: Session) -> int:
    statement = select(func.count()).where(OrderAction.status == PENDING)
    return int(session.scalar(statement) or 0)


def actions_of_order(session: Session, order_id: int, *, limit: int = 50) -> list[OrderAction]:
    statement = (
        select(OrderAction)
        .where(OrderAction.order_id == order_id)
        .order_by(OrderAction.id.desc())
        .limit(limit)
    )
    return list(session.scalars(statement))


def _pending(session: Session, action_id: int) -> OrderAction:
    action = get_action(session, action_id)
    if action.status != PENDING:
        raise Conflict(f"this request is already {action.status.replace('_', ' ')}")
    return action


def approve(session: Session, *, actor: Actor, action_id: int, now: datetime) -> OrderAction:
    """Do the action now, as its requester asked. The policy is checked again (the order may
    have changed since); a store's refusal keeps the request pending with its reason."""
    require(actor, "orders.approve")
    action = _pending(session, action_id)
    order = orders.get_order(session, action.order_id)
    data = REQUEST_SCHEMAS[action.kind].model_validate(action.request)
    facts = facts_for(session, order)
    evaluation = evaluate(action.kind, facts, data, actor=actor, now=now)
    if not evaluation.allowed:
        raise Conflict(evaluation.refusal)
    try:
        with session.begin_nested():
            action.decided_by_id = actor.agent_id
            action.decided_at = now
            execute(session, actor=actor, action=action, facts=facts, data=data, now=now)
    except (ConnectorRejected, ConnectorUnavailable) as exc:
        session.refresh(action)
        action.error = exc.message
        session.flush()
        raise
    return action


def deny(
    session: Session, *, actor: Actor, action_id: int, reason: str, now: datetime
) -> OrderAction:
    """Refuse the request; the requesting agent reads why on the ticket (the customer is not
    told automatically)."""
    require(actor, "orders.approve")
    if not reason.strip():
        raise InvalidInput("say why the request is denied")
    action = _pending(session, action_id)
    action.status = "denied"
    action.decided_by_id = actor.agent_id
    action.decided_at = now
    action.decision_reason = reason.strip()[:2000]
    session.flush()
    number = orders.get_order(session, action.order_id).number
    record_denial(session, actor=actor, action=action, number=number)
    return action
