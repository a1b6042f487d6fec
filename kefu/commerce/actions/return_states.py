"""A return's life after it is created: approved → in_transit → received → refunded |
exchanged, or rejected on the way. Refunding a received return pays back its
`refund_minor` (the items less the restocking fee) and pushes that refund to the store."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu import events
from kefu.commerce import orders
from kefu.commerce.action_schemas import RefundRequest
from kefu.commerce.actions.core import Context, new_key
from kefu.commerce.actions.customer_texts import customer_text, money
from kefu.commerce.actions.record import add_note, customer_language
from kefu.commerce.actions.refund import give_back, push_refund
from kefu.commerce.connectors import connector_for
from kefu.commerce.facts import facts_for
from kefu.commerce.models import OrderAction, OrderReturn
from kefu.errors import Conflict, InvalidInput, NotFound
from kefu.kit.actor import Actor
from kefu.kit.i18n import N_, gettext
from kefu.kit.money import format_money
from kefu.permissions import require
from kefu.tickets import messages
from kefu.tickets.schemas import MessageCreate

TRANSITIONS: dict[str, frozenset[str]] = {
    "requested": frozenset({"approved", "rejected"}),
    "approved": frozenset({"in_transit", "received", "rejected"}),
    "in_transit": frozenset({"received", "rejected"}),
    "received": frozenset({"refunded", "exchanged", "rejected"}),
}
STATE_LABELS: dict[str, str] = {
    "requested": N_("Requested"),
    "approved": N_("Approved"),
    "in_transit": N_("On its way back"),
    "received": N_("Received"),
    "refunded": N_("Refunded"),
    "exchanged": N_("Exchanged"),
    "rejected": N_("Rejected"),
}


def get_return(session: Session, return_id: int) -> OrderReturn:
    found = session.get(OrderReturn, return_id)
    if found is None:
        raise NotFound(f"return {return_id} does not exist")
    return found


def next_states(returned: OrderReturn) -> list[str]:
    return sorted(TRANSITIONS.get(returned.state, frozenset()))


def transition_return(
    session: Session,
    *,
    actor: Actor,
    return_id: int,
    state: str,
    reason: str = "",
    now: datetime,
) -> OrderReturn:
    """Move a return to its next state; refused moves are a 409 that changes nothing."""
    require(actor, "orders.act")
    returned = get_return(session, return_id)
    if state not in TRANSITIONS.get(returned.state, frozenset()):
        raise Conflict(
            f"a return that is {returned.state.replace('_', ' ')} cannot become "
            f"{state.replace('_', ' ')}"
        )
    if state == "rejected" and not reason.strip():
        raise InvalidInput("say why the return is rejected")
    order = orders.get_order(session, returned.order_id)
    facts = facts_for(session, order)
    customer_says: str | None = None
    language = "en"
    if returned.ticket_id is not None:
        language = customer_language(session, _probe(returned), facts)
    if state == "rejected":
        for line in returned.items:
            item = facts.items.get(line["item_id"])
            if item is not None:
                item.returned_quantity = max(item.returned_quantity - line["quantity"], 0)
        returned.rejection_reason = reason.strip()[:2000]
        customer_says = customer_text(
            "return_rejected", language, rma=returned.rma, number=order.number, reason=reason
        )
    if state == "refunded":
        _refund(session, actor=actor, returned=returned, now=now)
        customer_says = customer_text(
            "return_refunded",
            language,
            rma=returned.rma,
            number=order.number,
            amount=money(returned.refund_minor, order.currency, language),
        )
    returned.state = state
    returned.state_changed_at = now
    session.flush()
    add_note(
        session,
        actor=actor,
        ticket_id=returned.ticket_id,
        text=gettext(
            "Return %(rma)s: %(state)s", rma=returned.rma, state=gettext(STATE_LABELS[state])
        )
        + (f" ({reason.strip()})" if reason.strip() else ""),
    )
    if customer_says and returned.ticket_id is not None:
        messages.add_message(
            session,
            actor=actor,
            ticket_id=returned.ticket_id,
            data=MessageCreate(kind="reply", body_text=customer_says),
        )
    events.emit(
        session,
        f"return.{state}",
        subject_type="order",
        subject_id=order.id,
        payload={"order_id": order.id, "return_id": returned.id, "rma": returned.rma},
        actor=actor,
    )
    return returned


def _probe(returned: OrderReturn) -> OrderAction:
    """customer_language() reads the ticket of an action; a return has one of its own."""
    return OrderAction(ticket_id=returned.ticket_id)


def _refund(session: Session, *, actor: Actor, returned: OrderReturn, now: datetime) -> None:
    """Pay back a received return, recorded as a done refund action, pushed to the store;
    the store's refusal (raised) leaves the return received and nothing refunded."""
    order = orders.get_order(session, returned.order_id)
    facts = facts_for(session, order)
    lines = [(line["item_id"], line["quantity"]) for line in returned.items]
    data = RefundRequest(
        items=[{"item_id": i, "quantity": q} for i, q in lines],  # type: ignore[misc]
        restock=True,
        reason=f"return {returned.rma}",
        ticket_id=returned.ticket_id,
        notify_customer=False,
    )
    with session.begin_nested():
        action = OrderAction(
            order_id=order.id,
            ticket_id=returned.ticket_id,
            kind="refund",
            status="done",
            idempotency_key=f"return:{returned.id}:{new_key()}",
            request={**data.model_dump(mode="json"), "return_id": returned.id},
            result={},
            policy=[],
            amount_minor=returned.refund_minor,
            currency=order.currency,
            requested_by_id=actor.agent_id,
            created_at=now,
        )
        session.add(action)
        session.flush()
        context = Context(
            session=session, actor=actor, action=action, facts=facts, data=data, now=now
        )
        for item_id, quantity in lines:
            item = facts.items[item_id]
            item.returned_quantity = max(item.returned_quantity - quantity, 0)
        refund = give_back(context, lines=lines, restock=True, reason=data.reason)
        # the restocking fee stays with the store
        order.refunded_minor -= refund.amount_minor - returned.refund_minor
        refund.amount_minor = returned.refund_minor
        order.payment_status = (
            "refunded" if order.refunded_minor >= order.total_minor else "partially_refunded"
        )
        session.flush()
        push_refund(context, connector_for(facts.store), refund)
        action.result = dict(context.result)
        add_note(
            session,
            actor=actor,
            ticket_id=returned.ticket_id,
            text=gettext(
                "Order #%(number)s: refunded %(amount)s for return %(rma)s",
                number=order.number,
                amount=format_money(refund.amount_minor, order.currency),
                rma=returned.rma,
            ),
        )
        events.emit(
            session,
            "order.refunded",
            subject_type="order",
            subject_id=order.id,
            payload={"order_id": order.id, "action_id": action.id, "return_id": returned.id},
            actor=actor,
        )


def returns_of_order(session: Session, order_id: int) -> list[OrderReturn]:
    statement = (
        select(OrderReturn).where(OrderReturn.order_id == order_id).order_by(OrderReturn.id.desc())
    )
    return list(session.scalars(statement))
