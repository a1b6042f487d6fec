"""The orders beside a ticket: the customer's, the attached and the mentioned ones."""

from typing import Any

from sqlalchemy import select

from kefu.commerce import links
from kefu.commerce.models import TicketOrder
from kefu.commerce.schemas import FulfilmentIn, TrackingEventIn
from kefu.db import Database
from kefu.permissions import Role
from tests.commerce.factories import PLACED, make_order, make_store
from tests.tickets.factories import receive
from tests.tickets.test_pages import signed_in, token


def test_order_number_candidates_tell_explicit_from_incidental() -> None:
    found, explicit = links.number_candidates(
        "Hi, 订单号：CN100234 and #1001 arrived; order 2002 too. Call 555 0199 or see v2.0.10"
    )
    assert {"CN100234", "1001", "2002", "555", "0199"} <= found
    assert explicit == {"CN100234", "1001", "2002"}
    assert "2.0.10" not in found and "10" not in found


def test_mentioned_orders_are_the_customers_own_or_explicit(database: Database) -> None:
    # given Emily's order 1001 and Bob's 1002 and 1003
    store = make_store(database)
    mine = make_order(database, store=store, number="1001")
    explicit = make_order(database, store=store, number="1002", email="bob@example.com")
    make_order(database, store=store, number="1003", email="bob@example.com")
    texts = ["My parcels 1001 and 1003 never came, also see order #1002"]
    # when
    with database.sessions() as session:
        found = links.mentioned_orders(session, texts=texts, customer_id=mine.customer_id or 0)
    # then 1003 is Bob's and only incidental, so it is not taken
    assert sorted(o.id for o in found) == [mine.id, explicit.id]


def test_ticket_page_shows_orders_with_items_and_tracking(client: Any, database: Database) -> None:
    # given
    store = make_store(database)
    scan = TrackingEventIn(
        status="out_for_delivery",
        happened_at=PLACED,
        description="With the courier",
        location="Leeds",
    )
    shipment = FulfilmentIn(
        external_id="f1",
        carrier="UPS",
        tracking_number="1Z999AA10123456784",
        tracking_url="https://www.ups.com/track?tracknum=1Z999AA10123456784",
        events=[scan],
    )
    make_order(database, store=store, number="1001", shipments=[shipment])
    ticket = receive(database, text="Where is my parcel?")
    signed_in(client, database)
    # when
    page = client.get(f"/tickets/{ticket.ticket_id}")
    # then
    assert page.status_code == 200
    assert 'id="orders-panel"' in page.text and "#1001" in page.text
    assert "Organic tee" in page.text and "Black / M" in page.text
    assert "US$73.00" in page.text or "$73.00" in page.text
    assert "Out for delivery" in page.text and "With the courier" in page.text
    assert 'href="https://www.ups.com/track?tracknum=1Z999AA10123456784"' in page.text


def test_agent_attaches_an_order_by_number(client: Any, database: Database) -> None:
    # given another customer's order and Emily's ticket
    store = make_store(database)
    order = make_order(database, store=store, number="2002", email="gift@example.com")
    ticket = receive(database, text="I bought it as a gift")
    signed_in(client, database)
    # when
    answer = client.post(
        f"/tickets/{ticket.ticket_id}/orders",
        data={"number": "#2002", "csrf_token": token(client)},
        follow_redirects=True,
    )
    # then
    assert answer.status_code == 200
    assert "Order #2002 is attached to this ticket." in answer.text
    with database.sessions() as session:
        link = session.scalars(select(TicketOrder)).one()
        assert (link.ticket_id, link.order_id, link.linked_by) == (
            ticket.ticket_id,
            order.id,
            "agent",
        )


def test_unknown_order_number_is_refused_and_nothing_attached(
    client: Any, database: Database
) -> None:
    ticket = receive(database)
    signed_in(client, database)
    answer = client.post(
        f"/tickets/{ticket.ticket_id}/orders",
        data={"number": "9999", "csrf_token": token(client)},
        follow_redirects=True,
    )
    assert "no order has the number 9999" in answer.text
    with database.sessions() as session:
        assert session.scalars(select(TicketOrder)).all() == []


def test_light_agent_sees_orders_but_cannot_attach(client: Any, database: Database) -> None:
    store = make_store(database)
    make_order(database, store=store, number="1001")
    ticket = receive(database)
    signed_in(client, database, role=Role.LIGHT_AGENT)
    page = client.get(f"/tickets/{ticket.ticket_id}")
    assert "#1001" in page.text and "Attach an order" not in page.text
