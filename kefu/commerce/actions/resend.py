"""Resend items free of charge (lost or damaged in transit): a replacement order at the
store, priced at nothing."""

from __future__ import annotations

from kefu.commerce.action_schemas import ResendRequest
from kefu.commerce.actions.core import ActionSpec, Context, register
from kefu.commerce.actions.customer_texts import customer_text, items_phrase
from kefu.commerce.connectors import Connector
from kefu.commerce.facts import item_label
from kefu.kit.i18n import gettext


def _lines(context: Context) -> list[dict[str, object]]:
    data: ResendRequest = context.data
    lines = []
    for line in data.items:
        item = context.facts.items[line.item_id]
        lines.append(
            {
                "sku": item.sku,
                "variant_id": item.variant_id,
                "title": item.title,
                "quantity": line.quantity,
                "unit_price_minor": 0,
            }
        )
    return lines


def _apply(context: Context) -> None:
    context.result["items"] = [line.model_dump() for line in context.data.items]


def _push(context: Context, connector: Connector) -> None:
    pushed = connector.create_replacement(
        context.facts.order,
        lines=_lines(context),
        note=gettext("Free replacement for order #%(number)s", number=context.facts.order.number),
    )
    context.result["replacement_external_id"] = pushed.external_id


def _names(context: Context) -> list[str]:
    return [
        f"{line.quantity} × {item_label(context.facts.items[line.item_id])}"
        for line in context.data.items
    ]


def _note(context: Context) -> str:
    return gettext("resent %(items)s free of charge", items=", ".join(_names(context)))


def _customer(context: Context, language: str) -> str:
    return customer_text(
        "resend",
        language,
        number=context.facts.order.number,
        items=items_phrase(_names(context), language),
    )


SPEC = register(
    ActionSpec(
        kind="resend",
        event="order.item_resent",
        apply=_apply,
        push=_push,
        note=_note,
        customer=_customer,
    )
)
