"""The orders beside a ticket: the customer's recent orders, those attached to the ticket
and those named in its messages, with items, payment, shipping and live tracking."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.commerce import links
from kefu.commerce.models import Order, OrderItem, Store, TrackingEvent
from kefu.commerce.orders import fulfilments_of, items_of
from kefu.commerce.schemas import FULFILMENT_LABELS, PAYMENT_LABELS, TRACKING_LABELS
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.permissions import can
from kefu.tickets.messages import list_messages
from kefu.tickets.models import Ticket

RECENT_ORDERS = 5
EVENTS_SHOWN = 3


def _recent_orders(session: Session, customer_id: int) -> tuple[list[Order], int]:
    statement = (
        select(Order)
        .where(Order.customer_id == customer_id)
        .order_by(Order.placed_at.desc(), Order.id.desc())
        .limit(RECENT_ORDERS + 1)
    )
    orders = list(session.scalars(statement))
    return orders[:RECENT_ORDERS], len(orders)


def _events_of(session: Session, fulfilment_ids: list[int]) -> dict[int, list[TrackingEvent]]:
    found: dict[int, list[TrackingEvent]] = {f: [] for f in fulfilment_ids}
    if not fulfilment_ids:
        return found
    statement = (
        select(TrackingEvent)
        .where(TrackingEvent.fulfilment_id.in_(fulfilment_ids))
        .order_by(TrackingEvent.happened_at.desc(), TrackingEvent.id.desc())
    )
    for event in session.scalars(statement):
        if len(found[event.fulfilment_id]) < EVENTS_SHOWN:
            found[event.fulfilment_id].append(event)
    return found


@dataclass(frozen=True)
class OrderView:
    """One order as the panel shows it (attributes, so templates can say `o.items`)."""

    order: Order
    store: Store
    items: list[OrderItem]
    fulfilments: list[dict[str, Any]]
    is_linked: bool
    is_mentioned: bool


def order_views(
    session: Session, orders: list[Order], *, linked: set[int], mentioned: set[int]
) -> list[OrderView]:
    """What the panel shows per order, loaded in a handful of queries for all of them."""
    ids = [o.id for o in orders]
    items = items_of(session, ids)
    shipments = fulfilments_of(session, ids)
    events = _events_of(session, [f.id for group in shipments.values() for f in group])
    store_ids = {o.store_id for o in orders}
    stores = {s.id: s for s in session.scalars(select(Store).where(Store.id.in_(store_ids)))}
    return [
        OrderView(
            order=order,
            store=stores[order.store_id],
            items=items[order.id],
            fulfilments=[
                {"fulfilment": f, "events": events[f.id], "url": f.tracking_url}
                for f in shipments[order.id]
            ],
            is_linked=order.id in linked,
            is_mentioned=order.id in mentioned,
        )
        for order in orders
    ]


def orders_panel(session: Session, actor: Actor, ticket: Ticket) -> dict[str, Any] | None:
    if not can(actor, "tickets.read"):
        return None
    linked_ids = links.linked_order_ids(session, ticket.id)
    texts = [m.body_text for m in list_messages(session, ticket.id) if m.body_text]
    mentioned = links.mentioned_orders(session, texts=texts, customer_id=ticket.requester_id)
    recent, recent_count = _recent_orders(session, ticket.requester_id)
    linked = [session.get(Order, order_id) for order_id in linked_ids]
    shown: dict[int, Order] = {}
    for order in [*linked, *mentioned, *recent]:
        if order is not None:
            shown.setdefault(order.id, order)
    views = order_views(
        session,
        list(shown.values()),
        linked=set(linked_ids),
        mentioned={o.id for o in mentioned},
    )
    return {
        "orders": views,
        "has_more": recent_count > RECENT_ORDERS,
        "ticket": ticket,
        "can_act": can(actor, "orders.act"),
        "can_link": can(actor, "tickets.update"),
        "payment_labels": {k: _(v) for k, v in PAYMENT_LABELS.items()},
        "fulfilment_labels": {k: _(v) for k, v in FULFILMENT_LABELS.items()},
        "tracking_labels": {k: _(v) for k, v in TRACKING_LABELS.items()},
    }
