"""Refund: items by quantity, shipping and a custom amount, to the original payment or as
store credit; the money side every other action (cancel, return, exchange) reuses."""

from __future__ import annotations

from typing import Any

from kefu.commerce.action_schemas import RefundRequest
from kefu.commerce.actions.core import ActionSpec, Context, register
from kefu.commerce.actions.customer_texts import customer_text, items_phrase, money
from kefu.commerce.connectors import Connector
from kefu.commerce.connectors.base import RefundLine
from kefu.commerce.facts import item_label, item_value
from kefu.commerce.models import Refund, StoreCredit
from kefu.errors import InvalidInput
from kefu.kit.i18n import gettext
from kefu.kit.money import format_money


def give_back(
    context: Context,
    *,
    lines: list[tuple[int, int]],
    shipping_minor: int = 0,
    custom_minor: int = 0,
    restock: bool = False,
    method: str = "original",
    reason: str = "",
) -> Refund:
    """Write a refund of (item id, quantity) lines plus shipping and a custom amount, and
    move the order's refunded total and payment status."""
    facts, order = context.facts, context.facts.order
    written: list[dict[str, Any]] = []
    for item_id, quantity in lines:
        item = facts.items[item_id]
        item.refunded_quantity += quantity
        written.append(
            {"item_id": item.id, "quantity": quantity, "amount_minor": item_value(item, quantity)}
        )
    amount = sum(line["amount_minor"] for line in written) + shipping_minor + custom_minor
    refund = Refund(
        order_id=order.id,
        currency=order.currency,
        amount_minor=amount,
        shipping_minor=shipping_minor,
        method=method,
        items=written,
        restock=restock,
        reason=reason[:200],
        note=context.data.note,
        ticket_id=context.action.ticket_id,
        agent_id=context.requester_id,
        processed_at=context.now,
        created_at=context.now,
    )
    context.session.add(refund)
    order.refunded_minor = (order.refunded_minor or 0) + amount
    order.payment_status = (
        "refunded" if order.refunded_minor >= order.total_minor else "partially_refunded"
    )
    if method == "store_credit":
        if order.customer_id is None:
            raise InvalidInput("the order has no customer to give store credit to")
        credit = StoreCredit(
            store_id=order.store_id,
            customer_id=order.customer_id,
            order_id=order.id,
            currency=order.currency,
            amount_minor=amount,
            reason=reason[:200],
            ticket_id=context.action.ticket_id,
            agent_id=context.requester_id,
            created_at=context.now,
        )
        context.session.add(credit)
        context.rows["credit"] = credit
    context.session.flush()
    context.rows["refund"] = refund
    context.result.update({"refund_id": refund.id, "refunded_minor": amount})
    return refund


def push_refund(context: Context, connector: Connector, refund: Refund) -> None:
    """Tell the store about a refund written by give_back (or a store credit instead)."""
    facts = context.facts
    if refund.method == "store_credit":
        credit: StoreCredit = context.rows["credit"]
        pushed = connector.issue_store_credit(
            facts.order,
            amount_minor=refund.amount_minor,
            currency=refund.currency,
            email=facts.order.email,
            note=refund.reason or refund.note,
        )
        credit.external_id = pushed.external_id
        credit.code = str(pushed.details.get("code", ""))[:64]
        context.result["credit_code"] = credit.code
        return
    lines = [
        RefundLine(
            item_external_id=facts.items[line["item_id"]].external_id,
            quantity=line["quantity"],
            amount_minor=line["amount_minor"],
        )
        for line in refund.items
    ]
    pushed = connector.refund(
        facts.order,
        lines=lines,
        shipping_minor=refund.shipping_minor,
        amount_minor=refund.amount_minor,
        restock=refund.restock,
        note=refund.reason or refund.note,
    )
    refund.external_id = pushed.external_id
    context.result["refund_external_id"] = pushed.external_id


def what_was_refunded(context: Context, refund: Refund) -> list[str]:
    return [
        f"{line['quantity']} × {item_label(context.facts.items[line['item_id']])}"
        for line in refund.items
    ]


def _apply(context: Context) -> None:
    data: RefundRequest = context.data
    give_back(
        context,
        lines=[(line.item_id, line.quantity) for line in data.items],
        shipping_minor=data.shipping_minor,
        custom_minor=data.custom_minor,
        restock=data.restock,
        method=data.method,
        reason=data.reason,
    )


def _push(context: Context, connector: Connector) -> None:
    push_refund(context, connector, context.rows["refund"])


def _note(context: Context) -> str:
    refund: Refund = context.rows["refund"]
    parts = what_was_refunded(context, refund)
    if refund.shipping_minor:
        parts.append(gettext("shipping"))
    if context.data.custom_minor:
        parts.append(
            gettext(
                "%(amount)s extra", amount=format_money(context.data.custom_minor, refund.currency)
            )
        )
    text = gettext(
        "refunded %(amount)s (%(what)s)",
        amount=format_money(refund.amount_minor, refund.currency),
        what=", ".join(parts),
    )
    if refund.method == "store_credit":
        text += " " + gettext("as store credit")
    if refund.restock:
        text += " " + gettext("and restocked the items")
    return text


def _customer(context: Context, language: str) -> str:
    refund: Refund = context.rows["refund"]
    names = what_was_refunded(context, refund)
    items = (
        (" (" if language == "en" else "（")
        + items_phrase(names, language)
        + (")" if language == "en" else "）")
        if names
        else ""
    )
    values = {
        "amount": money(refund.amount_minor, refund.currency, language),
        "number": context.facts.order.number,
        "items": items,
    }
    if refund.method == "store_credit":
        return customer_text(
            "refund_credit", language, code=context.result.get("credit_code", ""), **values
        )
    return customer_text("refund", language, **values)


SPEC = register(
    ActionSpec(
        kind="refund",
        event="order.refunded",
        apply=_apply,
        push=_push,
        note=_note,
        customer=_customer,
    )
)
