"""Cancel an order before it ships: the paid amount is refunded and the items restocked."""

from __future__ import annotations

from kefu.commerce.action_schemas import CancelRequest
from kefu.commerce.actions.core import ActionSpec, Context, register
from kefu.commerce.actions.customer_texts import customer_text, money
from kefu.commerce.actions.refund import give_back
from kefu.commerce.connectors import Connector
from kefu.commerce.models import Refund
from kefu.kit.i18n import gettext
from kefu.kit.money import format_money


def _apply(context: Context) -> None:
    data: CancelRequest = context.data
    facts, order = context.facts, context.facts.order
    left = facts.refundable_minor
    if left:
        lines = [
            (item.id, item.quantity - item.refunded_quantity)
            for item in facts.items.values()
            if item.quantity > item.refunded_quantity
        ]
        refund = give_back(
            context,
            lines=lines,
            shipping_minor=facts.shipping_left_minor,
            restock=data.restock,
            reason=data.reason or "cancelled",
        )
        # what the lines do not cover (an order-level discount or fee) squares the total
        refund.amount_minor = left
        order.refunded_minor = order.total_minor
        order.payment_status = "refunded"
        context.result["refunded_minor"] = left
    elif order.payment_status in ("pending", "authorized"):
        order.payment_status = "voided"
    order.status = "cancelled"
    order.cancelled_at = context.now
    order.cancel_reason = data.reason[:200]
    if data.restock:
        order.fulfilment_status = "restocked"


def _push(context: Context, connector: Connector) -> None:
    data: CancelRequest = context.data
    refund: Refund | None = context.rows.get("refund")
    pushed = connector.cancel(
        context.facts.order, reason=data.reason, restock=data.restock, refund=refund is not None
    )
    if refund is not None:
        refund.external_id = pushed.details.get("refund_external_id") or None
    context.result["cancel_external_id"] = pushed.external_id


def _note(context: Context) -> str:
    refunded = context.result.get("refunded_minor")
    if refunded:
        return gettext(
            "cancelled the order and refunded %(amount)s",
            amount=format_money(refunded, context.facts.order.currency),
        )
    return gettext("cancelled the order")


def _customer(context: Context, language: str) -> str:
    order = context.facts.order
    refunded = context.result.get("refunded_minor")
    refund = (
        customer_text("cancel_refund", language, amount=money(refunded, order.currency, language))
        if refunded
        else ""
    )
    return customer_text("cancel", language, number=order.number, refund=refund)


SPEC = register(
    ActionSpec(
        kind="cancel",
        event="order.cancelled",
        apply=_apply,
        push=_push,
        note=_note,
        customer=_customer,
    )
)
