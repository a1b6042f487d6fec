"""Calls follow a merged customer; the composer on a phone ticket says a reply is not sent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kefu.channels.phone.models import Call
from kefu.customers import service as customers
from kefu.db import Database
from kefu.kit.actor import Actor
from tests.channels.phone.factories import call_params, make_customer, make_line, post_callback


def test_calls_follow_a_customer_merge(client: Any, database: Database) -> None:
    # given a missed call from a number that became a customer of its own
    line = make_line(database)
    post_callback(
        client, line, "status", call_params("CA" + "1" * 32, caller="+447700900123", status="busy")
    )
    emily = make_customer(database, name="Emily", phone="+447700900555", email="e@example.com")
    with database.sessions() as session:
        caller_id = session.scalars(select(Call.customer_id)).one()
    # when an agent merges the caller into Emily
    with database.unit_of_work(actor=Actor.system()) as session:
        customers.merge_customers(
            session, actor=Actor.system(), source_id=caller_id, target_id=emily.id
        )
    # then the call is Emily's
    with database.sessions() as session:
        assert session.scalars(select(Call.customer_id)).one() == emily.id


def test_composer_on_a_phone_ticket_offers_the_call_back(client: Any, database: Database) -> None:
    from tests.accounts.factories import PASSWORD, make_agent
    from tests.web.helpers import sign_in

    # given a missed call's ticket and an email ticket
    make_agent(database, email="li@example.com")
    line = make_line(database)
    post_callback(
        client, line, "status", call_params("CA" + "2" * 32, caller="+447700900123", status="busy")
    )
    from tests.tickets.factories import receive

    email = receive(database, email="emily@example.com")
    with database.sessions() as session:
        phone_ticket = session.scalars(select(Call.ticket_id)).one()
    sign_in(client, "li@example.com", PASSWORD)
    # when / then
    page = client.get(f"/tickets/{phone_ticket}").text
    assert "a written reply is kept here but not sent to the customer" in page
    assert '<a href="tel:+447700900123" class="tel">Call +44 7700 900123 back</a>' in page
    assert "not sent to the customer" not in client.get(f"/tickets/{email.ticket_id}").text
