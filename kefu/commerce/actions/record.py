"""How a done or requested action is recorded on its ticket: an internal note for
colleagues, a confirmation to the customer (a public reply: email tickets send it), and
the order's events."""

from __future__ import annotations

from sqlalchemy.orm import Session

from kefu import events
from kefu.commerce import links
from kefu.commerce.actions.core import ActionSpec, Context
from kefu.commerce.actions.customer_texts import language_of
from kefu.commerce.facts import Check, OrderFacts
from kefu.commerce.models import OrderAction
from kefu.customers import service as customers
from kefu.errors import NotFound
from kefu.kit.actor import Actor
from kefu.kit.i18n import N_, gettext
from kefu.kit.money import format_money
from kefu.permissions import can
from kefu.tickets import messages
from kefu.tickets import service as tickets
from kefu.tickets.schemas import MessageCreate

KIND_LABELS: dict[str, str] = {
    "refund": N_("Refund"),
    "cancel": N_("Cancel order"),
    "edit_address": N_("Change address"),
    "return": N_("Return"),
    "exchange": N_("Exchange"),
    "resend": N_("Resend"),
    "store_credit": N_("Store credit"),
}


def kind_label(kind: str) -> str:
    return gettext(KIND_LABELS.get(kind, kind))


def customer_language(session: Session, action: OrderAction, facts: OrderFacts) -> str:
    """The ticket requester's language, else the order's customer's, else the store's."""
    customer_ids = []
    if action.ticket_id is not None:
        customer_ids.append(tickets.get_ticket(session, action.ticket_id).requester_id)
    if facts.order.customer_id is not None:
        customer_ids.append(facts.order.customer_id)
    for customer_id in customer_ids:
        try:
            language = customers.get_customer(session, customer_id).language
        except NotFound:
            continue
        if language:
            return language_of(language)
    return language_of(facts.store.language)


def add_note(session: Session, *, actor: Actor, ticket_id: int | None, text: str) -> None:
    if ticket_id is None:
        return
    messages.add_message(
        session, actor=actor, ticket_id=ticket_id, data=MessageCreate(kind="note", body_text=text)
    )


def link_ticket(session: Session, *, actor: Actor, action: OrderAction) -> None:
    """An action taken from a ticket attaches its order to the ticket (once)."""
    if action.ticket_id is not None and can(actor, "tickets.update"):
        links.attach_order(
            session, actor=actor, ticket_id=action.ticket_id, order_id=action.order_id
        )


def record_done(context: Context, spec: ActionSpec) -> None:
    action, session = context.action, context.session
    link_ticket(session, actor=context.actor, action=action)
    order = context.facts.order
    note = gettext(
        "Order #%(number)s: %(summary)s", number=order.number, summary=spec.note(context)
    )
    if action.requested_by_id is not None and action.requested_by_id != context.actor.agent_id:
        note += " " + gettext("(approved by %(name)s)", name=context.actor.name)
    if context.data.note:
        note += "\n" + context.data.note
    add_note(session, actor=context.actor, ticket_id=action.ticket_id, text=note)
    if spec.customer is not None and context.data.notify_customer and action.ticket_id:
        text = spec.customer(context, customer_language(session, action, context.facts))
        if text:
            messages.add_message(
                session,
                actor=context.actor,
                ticket_id=action.ticket_id,
                data=MessageCreate(kind="reply", body_text=text),
            )
            action.result = {**action.result, "customer_notified": True}
    events.emit(
        session,
        spec.event,
        subject_type="order",
        subject_id=order.id,
        payload={
            "order_id": order.id,
            "store_id": order.store_id,
            "action_id": action.id,
            "kind": action.kind,
            "ticket_id": action.ticket_id,
            "amount_minor": action.amount_minor,
            "currency": action.currency,
        },
        actor=context.actor,
    )


def _reasons(checks: list[Check]) -> str:
    return "; ".join(c.text for c in checks if c.outcome == "needs_approval")


def record_approval_request(
    session: Session, *, actor: Actor, action: OrderAction, facts: OrderFacts
) -> None:
    checks = [Check.from_dict(c) for c in action.policy]
    link_ticket(session, actor=actor, action=action)
    add_note(
        session,
        actor=actor,
        ticket_id=action.ticket_id,
        text=gettext(
            "Order #%(number)s: %(kind)s of %(amount)s waits for a manager's approval "
            "(%(reasons)s).",
            number=facts.order.number,
            kind=kind_label(action.kind),
            amount=format_money(action.amount_minor, action.currency),
            reasons=_reasons(checks),
        ),
    )
    _emit(session, "order_action.approval_requested", action, actor)


def record_denial(session: Session, *, actor: Actor, action: OrderAction, number: str) -> None:
    add_note(
        session,
        actor=actor,
        ticket_id=action.ticket_id,
        text=gettext(
            "Order #%(number)s: %(name)s denied the %(kind)s of %(amount)s: %(reason)s",
            number=number,
            name=actor.name,
            kind=kind_label(action.kind).lower(),
            amount=format_money(action.amount_minor, action.currency),
            reason=action.decision_reason,
        ),
    )
    _emit(session, "order_action.denied", action, actor)


def _emit(session: Session, event_type: str, action: OrderAction, actor: Actor) -> None:
    events.emit(
        session,
        event_type,
        subject_type="order",
        subject_id=action.order_id,
        payload={
            "order_id": action.order_id,
            "action_id": action.id,
            "kind": action.kind,
            "ticket_id": action.ticket_id,
            "requested_by_id": action.requested_by_id,
            "amount_minor": action.amount_minor,
            "currency": action.currency,
        },
        actor=actor,
    )
