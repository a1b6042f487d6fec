"""The customer's own order, read through kefu.commerce's queries and facts: who may see it
(order number + the order's email), and its status, tracking and return eligibility in words.
Every sentence quotes a stored fact or the store's written policy; nothing is guessed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from kefu.commerce import facts as order_facts
from kefu.commerce import orders, queries
from kefu.commerce.schemas import FULFILMENT_LABELS, PAYMENT_LABELS, TRACKING_LABELS, OrderRead
from kefu.kit.actor import Actor
from kefu.kit.clock import as_utc
from kefu.kit.i18n import N_, gettext

READER = Actor.job("ai.assistant")
MAX_FAILED_CHECKS = 5


def verified_order_id(session: Session, *, store_id: int, number: str, email: str) -> int | None:
    """The id of the store's order with this number whose email is `email`; None otherwise
    (the visitor is not told whether the number exists)."""
    page = queries.search_orders(session, actor=READER, number=number, store_id=store_id, limit=5)
    wanted = email.strip().lower()
    for order in page.items:
        if (order.email or "").strip().lower() == wanted:
            return order.id
    return None


def order_number_of(session: Session, order_id: int) -> str:
    return queries.read_order(session, actor=READER, order_id=order_id).number


def describe(session: Session, *, order_id: int, topic: str, now: datetime) -> str:
    """The answer to "where is it" (tracking), "may I return it" (return) or everything."""
    order = queries.read_order(session, actor=READER, order_id=order_id)
    if topic == "tracking":
        return "\n".join([_headline(order), *_tracking(order)])
    if topic == "return":
        return "\n".join([_headline(order), *_returns(session, order, now)])
    return "\n".join([_headline(order), *_tracking(order), *_returns(session, order, now)])


def _headline(order: OrderRead) -> str:
    if order.status == "cancelled":
        return gettext(N_("Order %(number)s was cancelled."), number=order.number)
    return gettext(
        N_("Order %(number)s, placed %(date)s: %(payment)s, %(shipping)s."),
        number=order.number,
        date=as_utc(order.placed_at).date().isoformat(),
        payment=gettext(PAYMENT_LABELS.get(order.payment_status, order.payment_status)).lower(),
        shipping=gettext(
            FULFILMENT_LABELS.get(order.fulfilment_status, order.fulfilment_status)
        ).lower(),
    )


def _tracking(order: OrderRead) -> list[str]:
    if order.status == "cancelled":
        return []
    if not order.fulfilments:
        return [gettext(N_("It has not been shipped yet, so there is no tracking number yet."))]
    lines = []
    for shipment in order.fulfilments:
        status = gettext(TRACKING_LABELS.get(shipment.status, shipment.status))
        line = gettext(
            N_("Shipment %(number)s (%(carrier)s): %(status)s."),
            number=shipment.tracking_number or "—",
            carrier=shipment.carrier or gettext(N_("carrier not given")),
            status=status,
        )
        if shipment.events:
            last = shipment.events[-1]
            where = f", {last.location}" if last.location else ""
            line += " " + gettext(
                N_("Last scan %(date)s%(where)s: %(text)s."),
                date=as_utc(last.happened_at).strftime("%Y-%m-%d %H:%M UTC"),
                where=where,
                text=last.description or status,
            )
        if shipment.delivered_at:
            line += " " + gettext(
                N_("Delivered %(date)s."), date=as_utc(shipment.delivered_at).date().isoformat()
            )
        if shipment.tracking_url:
            line += " " + shipment.tracking_url
        lines.append(line)
    return lines


def _returns(session: Session, order: OrderRead, now: datetime) -> list[str]:
    """Each item under the store's written return policy (window from delivery, or from the
    order date when nothing was delivered; final-sale items never)."""
    if order.status == "cancelled":
        return []
    facts = order_facts.facts_for(session, orders.get_order(session, order.id))
    if not facts.is_shipped:
        return [gettext(N_("Nothing has shipped yet, so there is nothing to return yet."))]
    start = facts.delivered_at or as_utc(order.placed_at)
    lines = []
    for item in facts.items.values():
        label = order_facts.item_label(item)
        if item.quantity - item.returned_quantity - item.refunded_quantity <= 0:
            lines.append(gettext(N_("%(item)s: already returned or refunded."), item=label))
            continue
        if facts.is_final_sale(item):
            lines.append(
                gettext(
                    N_("%(item)s: final sale, it cannot be returned under the store's policy."),
                    item=label,
                )
            )
            continue
        rules = facts.rules_of(item)
        deadline = start + timedelta(days=rules.return_window_days)
        template = (
            N_("%(item)s: can be returned until %(date)s (%(days)s-day return window).")
            if as_utc(now) <= deadline
            else N_("%(item)s: the %(days)s-day return window ended on %(date)s.")
        )
        line = gettext(
            template, item=label, date=deadline.date().isoformat(), days=rules.return_window_days
        )
        if rules.restocking_fee_percent and as_utc(now) <= deadline:
            line += " " + gettext(
                N_("A restocking fee of %(percent)s%% applies."),
                percent=rules.restocking_fee_percent,
            )
        lines.append(line)
    return lines
