"""Orders kept in step with their store: idempotent, newest version wins."""

from datetime import timedelta

from sqlalchemy import func, select

from kefu.commerce import orders, stores
from kefu.commerce.models import Fulfilment, Order, OrderItem, Refund, TrackingEvent
from kefu.commerce.schemas import FulfilmentIn, OrderItemIn, RefundIn, TrackingEventIn
from kefu.customers import service as customers
from kefu.db import Database
from kefu.events import Event
from kefu.kit.actor import Actor
from tests.commerce.factories import PLACED, make_order, make_store, order_in


def _upsert(database: Database, store_id: int, **values: object) -> bool:
    with database.unit_of_work(actor=Actor.system()) as session:
        store = stores.get_store(session, store_id)
        _order, changed = orders.upsert_order(session, store=store, data=order_in(**values))
        return changed


def test_new_order_is_stored_with_items_and_its_customer(database: Database) -> None:
    # given
    store = make_store(database)
    # when
    order = make_order(database, store=store, number="#1001")
    # then
    with database.sessions() as session:
        stored = session.get(Order, order.id)
        assert stored is not None
        assert (stored.number, stored.currency, stored.total_minor) == ("1001", "USD", 7300)
        assert stored.shipping_address["city"] == "Leeds"
        items = orders.items_of(session, [order.id])[order.id]
        assert [(i.sku, i.quantity, i.unit_price_minor) for i in items] == [
            ("TEE-BLK-M", 2, 2500),
            ("CAP-RED", 1, 1800),
        ]
        customer = customers.find_by_identity(session, "email", "emily@example.com")
        assert customer is not None and stored.customer_id == customer.id
        assert customers.find_by_identity(session, "store", f"{store.id}:cust-emily@example.com")
        types = session.scalars(select(Event.type).where(Event.subject_type == "order")).all()
        assert types == ["order.created"]


def test_replay_and_older_update_change_nothing(database: Database) -> None:
    # given a version updated at +10 minutes
    store = make_store(database)
    newer = PLACED + timedelta(minutes=10)
    assert _upsert(database, store.id, updated_at=newer, payment_status="paid") is True
    # when the same version comes again, and an older one arrives late
    replayed = _upsert(database, store.id, updated_at=newer, payment_status="paid")
    late = _upsert(database, store.id, updated_at=PLACED, payment_status="pending")
    # then
    assert (replayed, late) == (False, False)
    with database.sessions() as session:
        assert session.scalar(select(Order.payment_status)) == "paid"
        assert session.scalar(select(func.count()).select_from(Order)) == 1
        order_events = select(Event.type).where(Event.subject_type == "order")
        assert session.scalars(order_events).all() == ["order.created"]


def test_newer_update_edits_lines_and_cancels(database: Database) -> None:
    # given
    store = make_store(database)
    make_order(database, store=store)
    # when the store removes the cap and cancels
    only_tee = [
        OrderItemIn(external_id="1001-1", sku="TEE-BLK-M", quantity=1, unit_price_minor=2500)
    ]
    changed = _upsert(
        database,
        store.id,
        items=only_tee,
        updated_at=PLACED + timedelta(hours=2),
        cancelled_at=PLACED + timedelta(hours=2),
        cancel_reason="customer",
    )
    # then
    assert changed
    with database.sessions() as session:
        order = session.scalars(select(Order)).one()
        assert (order.status, order.cancel_reason) == ("cancelled", "customer")
        assert session.scalars(select(OrderItem.quantity)).all() == [1]


def test_shipments_scans_and_store_refunds_are_idempotent(database: Database) -> None:
    # given
    store = make_store(database)
    scans = [
        TrackingEventIn(status="in_transit", happened_at=PLACED + timedelta(days=1)),
        TrackingEventIn(
            status="delivered", happened_at=PLACED + timedelta(days=3), location="Leeds"
        ),
    ]
    shipment = FulfilmentIn(
        external_id="f1",
        carrier="ups",
        tracking_number="1Z999AA10123456784",
        status="in_transit",
        items=[{"item_external_id": "1001-1", "quantity": 2}],
        events=scans,
        updated_at=PLACED + timedelta(days=3),
    )
    refund = RefundIn(
        external_id="r1", amount_minor=1800, items=[{"item_external_id": "1001-2", "quantity": 1}]
    )
    # when the same order arrives twice, each time a little newer
    for minutes in (5, 6):
        _upsert(
            database,
            store.id,
            shipments=[shipment],
            refunds=[refund],
            updated_at=PLACED + timedelta(days=4, minutes=minutes),
        )
    # then
    with database.sessions() as session:
        fulfilment = session.scalars(select(Fulfilment)).one()
        assert (fulfilment.status, fulfilment.delivered_at) == ("delivered", scans[1].happened_at)
        item_ids = dict(session.execute(select(OrderItem.external_id, OrderItem.id)).all())
        assert fulfilment.items == [{"item_id": item_ids["1001-1"], "quantity": 2}]
        assert session.scalar(select(func.count()).select_from(TrackingEvent)) == 2
        assert session.scalars(select(Refund.amount_minor)).all() == [1800]
        assert session.scalar(select(Order.refunded_minor)) == 1800


def test_older_scan_does_not_roll_the_status_back(database: Database) -> None:
    # given a delivered shipment
    store = make_store(database)
    delivered = TrackingEventIn(status="delivered", happened_at=PLACED + timedelta(days=3))
    shipment = FulfilmentIn(external_id="f1", carrier="ups", events=[delivered])
    order = make_order(database, store=store, shipments=[shipment])
    # when a late feed reports an older in-transit scan
    with database.unit_of_work(actor=Actor.system()) as session:
        fulfilment = orders.fulfilments_of(session, [order.id])[order.id][0]
        added = orders.record_tracking_event(
            session,
            fulfilment,
            status="in_transit",
            happened_at=PLACED + timedelta(days=1),
            source="csv",
        )
    # then it is kept as history, and the shipment stays delivered
    assert added is True
    with database.sessions() as session:
        assert session.scalar(select(Fulfilment.status)) == "delivered"
