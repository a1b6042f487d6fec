"""Exchange items for others (another size or colour): a replacement order is made at the
store; the price difference is charged (recorded) or refunded."""

from __future__ import annotations

from kefu.commerce.action_schemas import ExchangeRequest
from kefu.commerce.actions.core import ActionSpec, Context, register
from kefu.commerce.actions.customer_texts import customer_text, items_phrase, money
from kefu.commerce.actions.refund import give_back, push_refund
from kefu.commerce.amounts import exchange_difference
from kefu.commerce.connectors import Connector
from kefu.commerce.facts import item_label
from kefu.commerce.models import Exchange
from kefu.kit.i18n import gettext
from kefu.kit.money import format_money


def _apply(context: Context) -> None:
    data: ExchangeRequest = context.data
    facts = context.facts
    difference = exchange_difference(facts, data)
    for line in data.items_out:
        facts.items[line.item_id].returned_quantity += line.quantity
    exchange = Exchange(
        order_id=facts.order.id,
        items_out=[line.model_dump() for line in data.items_out],
        items_in=[line.model_dump() for line in data.items_in],
        currency=facts.order.currency,
        difference_minor=difference,
        state="open",
        ticket_id=context.action.ticket_id,
        agent_id=context.requester_id,
        created_at=context.now,
    )
    context.session.add(exchange)
    if difference < 0:
        give_back(context, lines=[], custom_minor=-difference, reason="exchange difference")
    context.session.flush()
    context.rows["exchange"] = exchange
    context.result.update({"exchange_id": exchange.id, "difference_minor": difference})


def _push(context: Context, connector: Connector) -> None:
    data: ExchangeRequest = context.data
    pushed = connector.create_replacement(
        context.facts.order,
        lines=[line.model_dump() for line in data.items_in],
        note=gettext("Exchange for order #%(number)s", number=context.facts.order.number),
    )
    context.result["replacement_external_id"] = pushed.external_id
    if "refund" in context.rows:
        push_refund(context, connector, context.rows["refund"])


def _names_out(context: Context) -> list[str]:
    return [
        f"{line.quantity} × {item_label(context.facts.items[line.item_id])}"
        for line in context.data.items_out
    ]


def _names_in(context: Context) -> list[str]:
    return [f"{line.quantity} × {line.title}" for line in context.data.items_in]


def _note(context: Context) -> str:
    difference = context.result.get("difference_minor", 0)
    currency = context.facts.order.currency
    text = gettext(
        "exchanged %(out)s for %(in)s",
        out=", ".join(_names_out(context)),
        **{"in": ", ".join(_names_in(context))},
    )
    if difference > 0:
        text += "; " + gettext(
            "the customer pays %(amount)s", amount=format_money(difference, currency)
        )
    elif difference < 0:
        text += "; " + gettext("refunded %(amount)s", amount=format_money(-difference, currency))
    return text


def _customer(context: Context, language: str) -> str:
    difference = context.result.get("difference_minor", 0)
    currency = context.facts.order.currency
    if difference > 0:
        said = customer_text("exchange_pay", language, amount=money(difference, currency, language))
    elif difference < 0:
        said = customer_text(
            "exchange_refund", language, amount=money(-difference, currency, language)
        )
    else:
        said = customer_text("exchange_even", language)
    return customer_text(
        "exchange",
        language,
        number=context.facts.order.number,
        items_out=items_phrase(_names_out(context), language),
        items_in=items_phrase(_names_in(context), language),
        difference=said,
    )


SPEC = register(
    ActionSpec(
        kind="exchange",
        event="exchange.created",
        apply=_apply,
        push=_push,
        note=_note,
        customer=_customer,
    )
)
