"""Orders kept in step with their store: one idempotent upsert every connector calls, where
the newest version wins, and the lookups the ticket page needs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu import events
from kefu.commerce.models import Fulfilment, Order, OrderItem, Refund, Store, TrackingEvent
from kefu.commerce.schemas import FulfilmentIn, OrderIn, RefundIn
from kefu.customers import service as customers
from kefu.errors import InvalidInput, NotFound

ORDER_FIELDS = (
    "number",
    "email",
    "phone",
    "subtotal_minor",
    "discount_minor",
    "shipping_minor",
    "tax_minor",
    "total_minor",
    "payment_status",
    "fulfilment_status",
    "cancel_reason",
    "discount_codes",
    "note",
    "tags",
    "placed_at",
    "paid_at",
)
ITEM_FIELDS = (
    "product_id",
    "variant_id",
    "sku",
    "title",
    "variant_title",
    "category",
    "quantity",
    "unit_price_minor",
    "discount_minor",
    "tax_minor",
    "is_final_sale",
    "fulfilled_quantity",
    "refunded_quantity",
)


def get_order(session: Session, order_id: int) -> Order:
    order = session.get(Order, order_id)
    if order is None:
        raise NotFound(f"order {order_id} does not exist")
    return order


def order_by_external_id(session: Session, store_id: int, external_id: str) -> Order | None:
    statement = select(Order).where(Order.store_id == store_id, Order.external_id == external_id)
    return session.scalars(statement).one_or_none()


def items_of(session: Session, order_ids: list[int]) -> dict[int, list[OrderItem]]:
    found: dict[int, list[OrderItem]] = {order_id: [] for order_id in order_ids}
    statement = select(OrderItem).where(OrderItem.order_id.in_(order_ids)).order_by(OrderItem.id)
    for item in session.scalars(statement):
        found[item.order_id].append(item)
    return found


def fulfilments_of(session: Session, order_ids: list[int]) -> dict[int, list[Fulfilment]]:
    found: dict[int, list[Fulfilment]] = {order_id: [] for order_id in order_ids}
    statement = select(Fulfilment).where(Fulfilment.order_id.in_(order_ids)).order_by(Fulfilment.id)
    for fulfilment in session.scalars(statement):
        found[fulfilment.order_id].append(fulfilment)
    return found


def _is_stale(known: datetime | None, incoming: datetime | None) -> bool:
    """An update older than what is stored is a late or replayed delivery: ignore it."""
    return known is not None and incoming is not None and incoming < known


def _customer_id(session: Session, store: Store, data: OrderIn) -> int | None:
    who = data.customer
    email = (who.email if who else None) or data.email or None
    phone = (who.phone if who else None) or data.phone or None
    store_ref = f"{store.id}:{who.external_id}" if who and who.external_id else None
    if not (email or phone or store_ref):
        return None
    try:
        found = customers.identify(
            session, email=email, phone=phone, store_ref=store_ref, name=who.name if who else None
        )
    except InvalidInput:
        # a malformed phone or address from the store must not lose the order itself
        found = customers.identify(session, store_ref=store_ref) if store_ref else None
    return found.id if found else None


def _apply_items(session: Session, order: Order, data: OrderIn, *, is_new: bool) -> None:
    existing = {} if is_new else {i.external_id: i for i in items_of(session, [order.id])[order.id]}
    for incoming in data.items:
        item = existing.get(incoming.external_id)
        if item is None:
            item = OrderItem(order_id=order.id, external_id=incoming.external_id)
            session.add(item)
        for field in ITEM_FIELDS:
            setattr(item, field, getattr(incoming, field))
        item.details = incoming.details
    # lines removed by an order edit disappear; what was refunded stays in refunds
    for external_id, item in existing.items():
        if external_id not in {i.external_id for i in data.items}:
            session.delete(item)


def upsert_fulfilment(
    session: Session,
    order: Order,
    data: FulfilmentIn,
    *,
    item_ids: dict[str, int] | None = None,
    is_new_order: bool = False,
) -> Fulfilment | None:
    """Create or update a shipment of the order; None when `data` is older than the stored.
    `item_ids` (external id → id) and `is_new_order` spare queries during an upsert."""
    fulfilment = None
    if not is_new_order:
        statement = select(Fulfilment).where(
            Fulfilment.order_id == order.id, Fulfilment.external_id == data.external_id
        )
        fulfilment = session.scalars(statement).one_or_none()
    if fulfilment is not None and _is_stale(fulfilment.source_updated_at, data.updated_at):
        return None
    is_new = fulfilment is None
    if fulfilment is None:
        fulfilment = Fulfilment(order_id=order.id, external_id=data.external_id)
        session.add(fulfilment)
    if item_ids is None:
        item_ids = {i.external_id: i.id for i in items_of(session, [order.id])[order.id]}
    fulfilment.carrier = data.carrier
    fulfilment.tracking_number = data.tracking_number
    fulfilment.tracking_url = data.tracking_url
    fulfilment.status = data.status.value
    fulfilment.items = [
        {
            "item_id": item_ids.get(str(line.get("item_external_id"))),
            "quantity": line.get("quantity"),
        }
        for line in data.items
    ]
    fulfilment.weight_grams = data.weight_grams
    fulfilment.shipping_cost_minor = data.shipping_cost_minor
    fulfilment.shipped_at = data.shipped_at
    fulfilment.delivered_at = data.delivered_at
    fulfilment.source_updated_at = data.updated_at
    session.flush()
    scans = [(e.status.value, e.happened_at, e.description, e.location) for e in data.events]
    record_tracking_events(
        session, fulfilment, scans, source="connector", since=data.updated_at, is_new=is_new
    )
    return fulfilment


def record_tracking_events(
    session: Session,
    fulfilment: Fulfilment,
    scans: list[tuple[str, datetime, str, str]],
    *,
    source: str,
    since: datetime | None = None,
    is_new: bool = False,
) -> int:
    """Add scans (status, happened_at, description, location) once each, whatever the number
    of deliveries; the newest scan sets the shipment's status, unless the store's own
    update (`since`) is newer still. Returns how many scans were new."""
    known: dict[tuple[str, datetime], str] = {}
    if not is_new:
        rows = session.execute(
            select(TrackingEvent.status, TrackingEvent.happened_at).where(
                TrackingEvent.fulfilment_id == fulfilment.id
            )
        )
        known = {(status, at): status for status, at in rows}
    latest = max(((at, status) for status, at in known), default=None)
    added = 0
    for status, happened_at, description, location in scans:
        if (status, happened_at) in known:
            continue
        known[(status, happened_at)] = status
        session.add(
            TrackingEvent(
                fulfilment_id=fulfilment.id,
                status=status,
                description=description[:500],
                location=location[:200],
                happened_at=happened_at,
                source=source,
            )
        )
        added += 1
        if latest is None or happened_at >= latest[0]:
            latest = (happened_at, status)
    newer_than_store = latest is not None and (since is None or latest[0] >= since)
    if newer_than_store and latest is not None:
        if fulfilment.last_event_at is None or latest[0] >= fulfilment.last_event_at:
            fulfilment.last_event_at, fulfilment.status = latest
        if latest[1] == "delivered" and fulfilment.delivered_at is None:
            fulfilment.delivered_at = latest[0]
    if added:
        session.flush()
    return added


def record_tracking_event(
    session: Session,
    fulfilment: Fulfilment,
    *,
    status: str,
    happened_at: datetime,
    description: str = "",
    location: str = "",
    source: str,
) -> bool:
    """Add one scan (a carrier webhook, a CSV row); True when it was new."""
    scans = [(status, happened_at, description, location)]
    return record_tracking_events(session, fulfilment, scans, source=source) == 1


def record_store_refund(
    session: Session, order: Order, data: RefundIn, *, item_ids: dict[str, int] | None = None
) -> Refund | None:
    """A refund the store reports; None when it is already known (kefu made it, or a replay)."""
    statement = select(Refund).where(
        Refund.order_id == order.id, Refund.external_id == data.external_id
    )
    if session.scalars(statement).one_or_none() is not None:
        return None
    items = item_ids or {i.external_id: i.id for i in items_of(session, [order.id])[order.id]}
    refund = Refund(
        order_id=order.id,
        external_id=data.external_id,
        currency=order.currency,
        amount_minor=data.amount_minor,
        shipping_minor=data.shipping_minor,
        method="original",
        items=[
            {
                "item_id": items.get(str(line.get("item_external_id"))),
                "quantity": line.get("quantity", 0),
                "amount_minor": line.get("amount_minor", 0),
            }
            for line in data.items
        ],
        restock=data.restock,
        reason=data.reason,
        note=data.note,
        **({"processed_at": data.processed_at} if data.processed_at else {}),
    )
    session.add(refund)
    session.flush()
    return refund


def upsert_order(session: Session, *, store: Store, data: OrderIn) -> tuple[Order, bool]:
    """Create or update an order from its store; (order, changed). Replays and deliveries
    older than the stored version change nothing, so webhooks may come twice or late."""
    if data.currency.upper() != data.currency:
        data = data.model_copy(update={"currency": data.currency.upper()})
    order = order_by_external_id(session, store.id, data.external_id)
    if order is not None and _is_stale(order.source_updated_at, data.updated_at):
        return order, False
    is_new = order is None
    if order is None:
        order = Order(store_id=store.id, external_id=data.external_id, currency=data.currency)
        session.add(order)
    elif data.updated_at is not None and order.source_updated_at == data.updated_at:
        return order, False  # the same version again
    for field in ORDER_FIELDS:
        setattr(order, field, getattr(data, field))
    order.number = data.number.lstrip("#")
    order.currency = data.currency
    order.status = "cancelled" if data.cancelled_at else ("closed" if data.closed_at else "open")
    order.cancelled_at = data.cancelled_at
    order.shipping_address = data.shipping_address.model_dump() if data.shipping_address else {}
    order.billing_address = data.billing_address.model_dump() if data.billing_address else {}
    order.source_updated_at = data.updated_at
    order.details = data.details
    order.customer_id = _customer_id(session, store, data) or order.customer_id
    session.flush()
    _apply_items(session, order, data, is_new=is_new)
    session.flush()
    item_ids = {i.external_id: i.id for i in items_of(session, [order.id])[order.id]}
    for fulfilment in data.fulfilments:
        upsert_fulfilment(session, order, fulfilment, item_ids=item_ids, is_new_order=is_new)
    for refund in data.refunds:
        record_store_refund(session, order, refund, item_ids=item_ids)
    order.refunded_minor = refunded_total(session, order.id)
    events.emit(
        session,
        "order.created" if is_new else "order.updated",
        subject_type="order",
        subject_id=order.id,
        payload={"store_id": store.id, "number": order.number},
    )
    return order, True


def refunded_total(session: Session, order_id: int) -> int:
    statement = select(Refund.amount_minor).where(Refund.order_id == order_id)
    return sum(session.scalars(statement))


def order_summary(order: Order) -> dict[str, Any]:
    """The plain values an action or a note quotes about an order."""
    return {"id": order.id, "number": order.number, "currency": order.currency}
