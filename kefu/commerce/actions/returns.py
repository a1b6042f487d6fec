"""Create a return (RMA): reason code, items with their condition, the customer's photos
(attachments of the ticket) and return instructions. kefu keeps the RMA; the store hears
of it when the return is refunded (kefu.commerce.actions.return_states)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kefu.commerce.action_schemas import ReturnRequest
from kefu.commerce.actions.core import ActionSpec, Context, emit, register
from kefu.commerce.actions.customer_texts import customer_text, items_phrase, money
from kefu.commerce.amounts import return_amounts
from kefu.commerce.connectors import Connector
from kefu.commerce.facts import OrderFacts, item_label
from kefu.commerce.models import OrderReturn
from kefu.commerce.reasons import CUSTOMER_LABELS, reason_label
from kefu.errors import InvalidInput, NotFound
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext
from kefu.kit.money import format_money
from kefu.tickets import messages


def _validate(session: Session, actor: Actor, data: ReturnRequest, facts: OrderFacts) -> None:
    """Photos are attachments the customer sent on this ticket."""
    if data.photos and data.ticket_id is None:
        raise InvalidInput("photos are attachments of the ticket: give the ticket_id")
    for attachment_id in data.photos:
        try:
            attachment = messages.get_attachment(session, actor=actor, attachment_id=attachment_id)
            ticket_id = messages.get_message(session, attachment.message_id).ticket_id
        except NotFound:
            raise InvalidInput(f"photo {attachment_id} is not an attachment") from None
        if ticket_id != data.ticket_id:
            raise InvalidInput(f"photo {attachment_id} is not an attachment of this ticket")


def next_rma(session: Session, order_id: int) -> str:
    count = session.scalar(select(func.count()).where(OrderReturn.order_id == order_id)) or 0
    return f"RMA-{order_id}-{count + 1}"


def _apply(context: Context) -> None:
    data: ReturnRequest = context.data
    facts = context.facts
    value, fee = return_amounts(facts, data)
    lines: list[dict[str, Any]] = []
    for line in data.items:
        item = facts.items[line.item_id]
        item.returned_quantity += line.quantity
        lines.append(
            {
                "item_id": item.id,
                "quantity": line.quantity,
                "reason": data.reason,
                "condition": line.condition,
            }
        )
    rma = next_rma(context.session, facts.order.id)
    returned = OrderReturn(
        order_id=facts.order.id,
        rma=rma,
        state="approved",
        reason=data.reason,
        items=lines,
        photos=list(data.photos),
        instructions=data.instructions,
        restocking_fee_minor=fee,
        refund_minor=value - fee if data.resolution != "exchange" else 0,
        resolution=data.resolution,
        ticket_id=context.action.ticket_id,
        agent_id=context.requester_id,
        state_changed_at=context.now,
        created_at=context.now,
    )
    context.session.add(returned)
    context.session.flush()
    context.rows["return"] = returned
    context.result.update(
        {"return_id": returned.id, "rma": rma, "refund_minor": returned.refund_minor}
    )
    emit(context, "return.approved", return_id=returned.id, rma=rma)


def _push(context: Context, connector: Connector) -> None:
    """Connectors take no RMAs: the store hears of the return when it is refunded."""


def _names(context: Context, returned: OrderReturn) -> list[str]:
    return [
        f"{line['quantity']} × {item_label(context.facts.items[line['item_id']])}"
        for line in returned.items
    ]


def _note(context: Context) -> str:
    returned: OrderReturn = context.rows["return"]
    text = gettext(
        "return %(rma)s approved for %(items)s (reason: %(reason)s)",
        rma=returned.rma,
        items=", ".join(_names(context, returned)),
        reason=reason_label(returned.reason),
    )
    if returned.refund_minor:
        text += "; " + gettext(
            "%(amount)s to refund on receipt",
            amount=format_money(returned.refund_minor, context.facts.order.currency),
        )
    if returned.restocking_fee_minor:
        text += "; " + gettext(
            "restocking fee %(fee)s",
            fee=format_money(returned.restocking_fee_minor, context.facts.order.currency),
        )
    return text


def _customer(context: Context, language: str) -> str:
    returned: OrderReturn = context.rows["return"]
    order = context.facts.order
    amount = (
        customer_text(
            "return_amount", language, amount=money(returned.refund_minor, order.currency, language)
        )
        if returned.refund_minor
        else ""
    )
    instructions = returned.instructions or customer_text(
        "return_instructions", language, rma=returned.rma
    )
    return customer_text(
        "return",
        language,
        rma=returned.rma,
        number=order.number,
        items=items_phrase(_names(context, returned), language),
        reason=CUSTOMER_LABELS[language].get(returned.reason, returned.reason),
        amount=amount,
        instructions=instructions,
    )


SPEC = register(
    ActionSpec(
        kind="return",
        event="return.created",
        apply=_apply,
        push=_push,
        note=_note,
        customer=_customer,
        validate=_validate,
    )
)
