"""Store credit: an amount the customer spends at the store (a gift card or a coupon)."""

from __future__ import annotations

from kefu.commerce.action_schemas import StoreCreditRequest
from kefu.commerce.actions.core import ActionSpec, Context, register
from kefu.commerce.actions.customer_texts import customer_text, money
from kefu.commerce.connectors import Connector
from kefu.commerce.models import StoreCredit
from kefu.kit.i18n import gettext
from kefu.kit.money import format_money


def _apply(context: Context) -> None:
    data: StoreCreditRequest = context.data
    order = context.facts.order
    assert order.customer_id is not None  # check_store_credit refuses an order without one
    credit = StoreCredit(
        store_id=order.store_id,
        customer_id=order.customer_id,
        order_id=order.id,
        currency=order.currency,
        amount_minor=data.amount_minor,
        reason=data.reason[:200],
        ticket_id=context.action.ticket_id,
        agent_id=context.requester_id,
        created_at=context.now,
        expires_at=data.expires_at,
    )
    context.session.add(credit)
    context.session.flush()
    context.rows["credit"] = credit
    context.result["store_credit_id"] = credit.id


def _push(context: Context, connector: Connector) -> None:
    credit: StoreCredit = context.rows["credit"]
    pushed = connector.issue_store_credit(
        context.facts.order,
        amount_minor=credit.amount_minor,
        currency=credit.currency,
        email=context.facts.order.email,
        note=credit.reason,
    )
    credit.external_id = pushed.external_id
    credit.code = str(pushed.details.get("code", ""))[:64]
    context.result["credit_code"] = credit.code


def _note(context: Context) -> str:
    credit: StoreCredit = context.rows["credit"]
    return gettext(
        "gave %(amount)s of store credit (code %(code)s)",
        amount=format_money(credit.amount_minor, credit.currency),
        code=credit.code or "-",
    )


def _customer(context: Context, language: str) -> str:
    credit: StoreCredit = context.rows["credit"]
    return customer_text(
        "store_credit",
        language,
        amount=money(credit.amount_minor, credit.currency, language),
        code=credit.code,
    )


SPEC = register(
    ActionSpec(
        kind="store_credit",
        event="store_credit.issued",
        apply=_apply,
        push=_push,
        note=_note,
        customer=_customer,
    )
)
