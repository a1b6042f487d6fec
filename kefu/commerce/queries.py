"""The read side of orders: pages of orders and their full API shape."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.commerce.models import Fulfilment, Order, TicketOrder, TrackingEvent
from kefu.commerce.orders import fulfilments_of, get_order, items_of
from kefu.commerce.schemas import (
    FulfilmentRead,
    OrderItemRead,
    OrderRead,
    TrackingEventRead,
)
from kefu.kit.actor import Actor
from kefu.kit.pagination import Page
from kefu.permissions import require


def search_orders(
    session: Session,
    *,
    actor: Actor,
    customer_id: int | None = None,
    number: str | None = None,
    store_id: int | None = None,
    ticket_id: int | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> Page[Order]:
    """Orders newest first, narrowed by customer, number, store or ticket."""
    require(actor, "customers.read")
    statement = select(Order).order_by(Order.id.desc()).limit(limit + 1)
    if customer_id is not None:
        statement = statement.where(Order.customer_id == customer_id)
    if number:
        statement = statement.where(Order.number == number.strip().lstrip("#"))
    if store_id is not None:
        statement = statement.where(Order.store_id == store_id)
    if ticket_id is not None:
        linked = select(TicketOrder.order_id).where(TicketOrder.ticket_id == ticket_id)
        statement = statement.where(Order.id.in_(linked))
    if before_id is not None:
        statement = statement.where(Order.id < before_id)
    found = list(session.scalars(statement))
    next_id = found[limit - 1].id if len(found) > limit else None
    return Page(items=found[:limit], next_cursor=next_id)


def order_reads(session: Session, orders: list[Order]) -> list[OrderRead]:
    """The orders in their API shape, in four queries whatever their number."""
    ids = [o.id for o in orders]
    items = items_of(session, ids)
    shipments = fulfilments_of(session, ids)
    shipment_ids = [f.id for group in shipments.values() for f in group]
    scans: dict[int, list[TrackingEventRead]] = {f: [] for f in shipment_ids}
    if shipment_ids:
        statement = (
            select(TrackingEvent)
            .where(TrackingEvent.fulfilment_id.in_(shipment_ids))
            .order_by(TrackingEvent.happened_at, TrackingEvent.id)
        )
        for scan in session.scalars(statement):
            scans[scan.fulfilment_id].append(TrackingEventRead.model_validate(scan))
    tickets: dict[int, list[int]] = {i: [] for i in ids}
    if ids:
        rows = session.execute(
            select(TicketOrder.order_id, TicketOrder.ticket_id).where(TicketOrder.order_id.in_(ids))
        )
        for order_id, ticket_id in rows:
            tickets[order_id].append(ticket_id)
    reads = []
    for order in orders:
        read = OrderRead.model_validate(order)
        read.items = [OrderItemRead.model_validate(i) for i in items[order.id]]
        read.fulfilments = [
            FulfilmentRead.model_validate(f).model_copy(update={"events": scans[f.id]})
            for f in shipments[order.id]
        ]
        read.ticket_ids = sorted(tickets[order.id])
        reads.append(read)
    return reads


def read_order(session: Session, *, actor: Actor, order_id: int) -> OrderRead:
    require(actor, "customers.read")
    return order_reads(session, [get_order(session, order_id)])[0]


def delivered_customer_ids(session: Session, *, store_id: int, since: datetime) -> list[int]:
    """Customers with a shipment of the store delivered since `since` (for surveys)."""
    statement = (
        select(Order.customer_id)
        .join(Fulfilment, Fulfilment.order_id == Order.id)
        .where(
            Order.store_id == store_id,
            Order.customer_id.is_not(None),
            Fulfilment.delivered_at >= since,
        )
        .distinct()
    )
    return sorted(cid for cid in session.scalars(statement) if cid is not None)
