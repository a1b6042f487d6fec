"""How every action on an order is done: idempotent on its key, checked by policy, turned
into an approval request above the agent's limit, otherwise written in kefu and pushed to
the store in the same transaction (a store's refusal undoes everything kefu wrote).

Each action (refund, cancel, ...) registers an `ActionSpec`: `apply` writes kefu's rows,
`push` tells the store, `note` and `customer` word the ticket's record of it."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kefu import events
from kefu.commerce import orders
from kefu.commerce.action_schemas import REQUEST_SCHEMAS
from kefu.commerce.checks import Evaluation, evaluate
from kefu.commerce.connectors import (
    Connector,
    ConnectorRejected,
    ConnectorUnavailable,
    connector_for,
)
from kefu.commerce.facts import Check, OrderFacts, facts_for
from kefu.commerce.models import OrderAction
from kefu.errors import Conflict, InvalidInput, NotFound, PolicyViolation, describe_validation
from kefu.kit.actor import Actor
from kefu.permissions import require
from kefu.tickets import service as tickets


class ActionRefused(PolicyViolation):
    """A policy check failed: nothing was done; `checks` says which and why."""

    def __init__(self, message: str, *, checks: list[Check]) -> None:
        super().__init__(message)
        self.checks = checks


@dataclass
class Context:
    """One action being done: the request, the order's facts, what it wrote so far."""

    session: Session
    actor: Actor  # who does it now (the agent, or the approving manager)
    action: OrderAction
    facts: OrderFacts
    data: Any  # the action's request schema
    now: datetime
    result: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, Any] = field(default_factory=dict)  # ORM rows apply() made, for push()

    @property
    def requester_id(self) -> int | None:
        return self.action.requested_by_id


@dataclass(frozen=True)
class ActionSpec:
    kind: str
    event: str
    apply: Callable[[Context], None]
    push: Callable[[Context, Connector], None]
    note: Callable[[Context], str]
    customer: Callable[[Context, str], str | None] | None = None
    # refuses bad input that needs the database (photos from another ticket) before writing
    validate: Callable[[Session, Actor, Any, OrderFacts], None] | None = None


SPECS: dict[str, ActionSpec] = {}


def register(spec: ActionSpec) -> ActionSpec:
    SPECS[spec.kind] = spec
    return spec


@dataclass
class Outcome:
    action: OrderAction
    checks: list[Check]
    replayed: bool = False


def parse_request(kind: str, values: dict[str, Any]) -> BaseModel:
    if kind not in REQUEST_SCHEMAS:
        raise NotFound(f"no action {kind!r}")
    try:
        return REQUEST_SCHEMAS[kind].model_validate(values)
    except ValidationError as exc:
        raise InvalidInput(describe_validation(exc.errors())) from None


def action_by_key(session: Session, key: str) -> OrderAction | None:
    statement = select(OrderAction).where(OrderAction.idempotency_key == key)
    return session.scalars(statement).one_or_none()


def new_key() -> str:
    """The key a form carries from the moment it is shown: a double submit acts once."""
    return secrets.token_urlsafe(18)


def stored_checks(action: OrderAction) -> list[Check]:
    return [Check.from_dict(c) for c in action.policy or []]


def preview(
    session: Session, *, actor: Actor, order_id: int, kind: str, data: Any, now: datetime
) -> Evaluation:
    """The checks the agent sees while filling the form; nothing is written."""
    require(actor, "orders.act")
    facts = facts_for(session, orders.get_order(session, order_id))
    return evaluate(kind, facts, data, actor=actor, now=now)


def _replay(existing: OrderAction, order_id: int, kind: str) -> Outcome:
    if existing.order_id != order_id or existing.kind != kind:
        raise Conflict("this idempotency key was used for another action; use a new key")
    return Outcome(existing, stored_checks(existing), replayed=True)


def perform(
    session: Session,
    *,
    actor: Actor,
    order_id: int,
    kind: str,
    data: Any,
    idempotency_key: str,
    now: datetime,
) -> Outcome:
    """Do an action once per key. Refused checks raise ActionRefused (nothing written);
    approval-needing checks leave a `pending_approval` request; a store's refusal raises
    ConnectorRejected/Unavailable after undoing kefu's writes (a `failed` attempt is kept)."""
    require(actor, "orders.act")
    existing = action_by_key(session, idempotency_key)
    if existing is not None:
        return _replay(existing, order_id, kind)
    order = orders.get_order(session, order_id)
    if data.ticket_id is not None:
        tickets.get_ticket(session, data.ticket_id)
    facts = facts_for(session, order)
    evaluation = evaluate(kind, facts, data, actor=actor, now=now)
    if not evaluation.allowed:
        raise ActionRefused(evaluation.refusal, checks=evaluation.checks)
    spec = SPECS[kind]
    if spec.validate is not None:
        spec.validate(session, actor, data, facts)
    values: dict[str, Any] = {
        "order_id": order.id,
        "ticket_id": data.ticket_id,
        "kind": kind,
        "request": data.model_dump(mode="json"),
        "result": {},
        "policy": [c.as_dict() for c in evaluation.checks],
        "amount_minor": evaluation.amount_minor,
        "currency": order.currency,
        "requested_by_id": actor.agent_id,
        "created_at": now,
    }
    status = "pending_approval" if evaluation.needs_approval else "done"
    action = OrderAction(status=status, idempotency_key=idempotency_key, **values)
    try:
        with session.begin_nested():
            _insert_once(session, action)
            if status == "pending_approval":
                from kefu.commerce.actions.record import record_approval_request

                record_approval_request(session, actor=actor, action=action, facts=facts)
            else:
                execute(session, actor=actor, action=action, facts=facts, data=data, now=now)
    except _Duplicate as duplicate:
        return _replay(duplicate.winner, order_id, kind)
    except (ConnectorRejected, ConnectorUnavailable) as exc:
        # everything kefu wrote is undone; the attempt is kept under a key of its own, so
        # the agent may submit the same form again
        failed = OrderAction(
            status="failed",
            idempotency_key=f"failed:{new_key()}",
            error=exc.message,
            **{**values, "request": {**values["request"], "idempotency_key": idempotency_key}},
        )
        session.add(failed)
        session.flush()
        raise
    return Outcome(action, evaluation.checks)


class _Duplicate(Exception):
    def __init__(self, winner: OrderAction) -> None:
        super().__init__("duplicate idempotency key")
        self.winner = winner


def _insert_once(session: Session, action: OrderAction) -> None:
    """Insert the action; the same form submitted twice at once loses on the unique key
    and answers with the winner's result."""
    try:
        with session.begin_nested():
            session.add(action)
            session.flush()
    except IntegrityError:
        winner = action_by_key(session, action.idempotency_key)
        if winner is None:
            raise
        raise _Duplicate(winner) from None


def execute(
    session: Session,
    *,
    actor: Actor,
    action: OrderAction,
    facts: OrderFacts,
    data: Any,
    now: datetime,
) -> None:
    """Write the action in kefu, push it to the store, record it on the ticket. The caller
    holds a savepoint: the store's refusal (raised from here) rolls all of it back."""
    from kefu.commerce.actions.record import record_done

    spec = SPECS[action.kind]
    context = Context(session=session, actor=actor, action=action, facts=facts, data=data, now=now)
    action.status = "done"
    spec.apply(context)
    session.flush()
    spec.push(context, connector_for(facts.store))
    action.result = {**action.result, **context.result}
    action.error = ""
    record_done(context, spec)
    session.flush()


def emit(context: Context, event_type: str, **payload: Any) -> None:
    events.emit(
        context.session,
        event_type,
        subject_type="order",
        subject_id=context.facts.order.id,
        payload={
            "order_id": context.facts.order.id,
            "store_id": context.facts.store.id,
            "action_id": context.action.id,
            "ticket_id": context.action.ticket_id,
            **payload,
        },
        actor=context.actor,
    )
