"""Calls follow the customer they belong to when that customer is merged into another."""

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
