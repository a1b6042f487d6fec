"""Orders that need chasing (催发货 / delivery chasing): paid but not shipped, shipped but
silent, or stopped by a failed delivery or a problem."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    String,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from kefu.commerce.models import Fulfilment, Order, Store, TicketOrder
from kefu.customers import service as customers
from kefu.errors import PermissionDenied
from kefu.kit.actor import Actor
from kefu.kit.clock import as_utc
from kefu.kit.i18n import N_
from kefu.permissions import can

NOT_SHIPPED = "not_shipped"
NO_SCAN = "no_scan"
PROBLEM = "problem"
REASONS: dict[str, str] = {
    NOT_SHIPPED: N_("Paid, not shipped"),
    NO_SCAN: N_("No scan lately"),
    PROBLEM: N_("Failed delivery or problem"),
}
MOVING = ("info_received", "in_transit", "out_for_delivery")
STOPPED = ("failed_attempt", "exception")
PAID = ("paid", "partially_refunded")
PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class StuckFilter:
    store_id: int | None = None
    reason: str | None = None
    # paid this many days ago and not shipped / no scan for this many days
    not_shipped_days: int = 2
    no_scan_days: int = 3
    min_age_days: int = 0  # every row at least this old (its "since")


@dataclass(slots=True)
class StuckOrder:
    order_id: int
    number: str
    store_name: str
    reason: str
    since: datetime
    age_days: int
    customer_id: int | None
    customer_name: str
    email: str
    carrier: str = ""
    tracking_number: str = ""
    tracking_url: str = ""
    status: str = ""
    ticket_ids: list[int] = field(default_factory=list)


@dataclass(slots=True)
class StuckPage:
    rows: list[StuckOrder]
    total: int
    page: int
    pages: int
    counts: dict[str, int]


def _can_see(actor: Actor) -> None:
    if not (can(actor, "orders.act") or can(actor, "tickets.read")):
        raise PermissionDenied("your role does not allow this (orders.act)")


def _candidates(
    spec: StuckFilter, now: datetime
) -> list[Select[tuple[int, int | None, str, datetime]]]:
    paid_at = func.coalesce(Order.paid_at, Order.placed_at)
    last_seen = func.coalesce(
        Fulfilment.last_event_at, Fulfilment.shipped_at, Fulfilment.created_at
    )
    open_order: list[ColumnElement[bool]] = [Order.status == "open"]
    if spec.store_id is not None:
        open_order.append(Order.store_id == spec.store_id)
    oldest = now - timedelta(days=spec.min_age_days)
    parts = []
    if spec.reason in (None, NOT_SHIPPED):
        limit = min(now - timedelta(days=spec.not_shipped_days), oldest)
        parts.append(
            select(
                Order.id.label("order_id"),
                cast(null(), BigInteger).label("fulfilment_id"),
                cast(literal(NOT_SHIPPED), String(20)).label("reason"),
                paid_at.label("since"),
            ).where(
                *open_order,
                Order.payment_status.in_(PAID),
                Order.fulfilment_status.in_(("unfulfilled", "partial")),
                paid_at <= limit,
            )
        )
    for reason, statuses, days in ((NO_SCAN, MOVING, spec.no_scan_days), (PROBLEM, STOPPED, 0)):
        if spec.reason not in (None, reason):
            continue
        limit = min(now - timedelta(days=days), oldest)
        parts.append(
            select(
                Order.id.label("order_id"),
                Fulfilment.id.label("fulfilment_id"),
                cast(literal(reason), String(20)).label("reason"),
                last_seen.label("since"),
            )
            .join(Fulfilment, Fulfilment.order_id == Order.id)
            .where(*open_order, Fulfilment.status.in_(statuses), last_seen <= limit)
        )
    return parts


def stuck_orders(
    session: Session, *, actor: Actor, spec: StuckFilter, now: datetime, page: int = 1
) -> StuckPage:
    """The orders to chase, oldest first, a page at a time, with each reason's count."""
    _can_see(actor)
    parts = _candidates(spec, now)
    if not parts:
        return StuckPage(rows=[], total=0, page=1, pages=1, counts={})
    found = union_all(*parts).subquery()
    grouped = session.execute(select(found.c.reason, func.count()).group_by(found.c.reason))
    counts: dict[str, int] = {row[0]: row[1] for row in grouped}
    total = sum(counts.values())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    rows = session.execute(
        select(found.c.order_id, found.c.fulfilment_id, found.c.reason, found.c.since)
        .order_by(found.c.since, found.c.order_id)
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
    ).all()
    return StuckPage(
        rows=_details(session, rows, now), total=total, page=page, pages=pages, counts=counts
    )


def _details(session: Session, rows: list, now: datetime) -> list[StuckOrder]:  # type: ignore[type-arg]
    from kefu.commerce.carriers import tracking_url_for

    order_ids = [row.order_id for row in rows]
    orders = {o.id: o for o in session.scalars(select(Order).where(Order.id.in_(order_ids)))}
    shipment_ids = [row.fulfilment_id for row in rows if row.fulfilment_id is not None]
    shipments = {
        f.id: f for f in session.scalars(select(Fulfilment).where(Fulfilment.id.in_(shipment_ids)))
    }
    store_names = {row[0]: row[1] for row in session.execute(select(Store.id, Store.name))}
    people = customers.customers_by_ids(
        session, [o.customer_id for o in orders.values() if o.customer_id]
    )
    tickets: dict[int, list[int]] = {order_id: [] for order_id in order_ids}
    for order_id, ticket_id in session.execute(
        select(TicketOrder.order_id, TicketOrder.ticket_id)
        .where(TicketOrder.order_id.in_(order_ids))
        .order_by(TicketOrder.ticket_id)
    ):
        tickets[order_id].append(ticket_id)
    result = []
    for row in rows:
        order = orders[row.order_id]
        since = as_utc(row.since)
        person = people.get(order.customer_id) if order.customer_id else None
        item = StuckOrder(
            order_id=order.id,
            number=order.number,
            store_name=store_names.get(order.store_id, ""),
            reason=row.reason,
            since=since,
            age_days=max((now - since).days, 0),
            customer_id=order.customer_id,
            customer_name=(person.name if person else "") or "",
            email=order.email,
            ticket_ids=tickets[order.id],
        )
        shipment = shipments.get(row.fulfilment_id) if row.fulfilment_id else None
        if shipment is not None:
            item.carrier = shipment.carrier
            item.tracking_number = shipment.tracking_number
            item.status = shipment.status
            item.tracking_url = shipment.tracking_url or tracking_url_for(
                session, shipment.carrier, shipment.tracking_number
            )
        result.append(item)
    return result
