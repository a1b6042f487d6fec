"""Proactive follow-ups: once per rule and order, daily caps in the store's day, opt-outs
and bounced addresses skipped, the message leaves through the email channel, unsubscribe."""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from kefu.channels.email.models import OutboundEmail
from kefu.commerce.followup_jobs import send_follow_ups
from kefu.commerce.followup_rules import CHECKIN, EXCEPTION, UNPAID, FollowUpRuleIn, save_rule
from kefu.commerce.followups import run_follow_ups
from kefu.commerce.models import FollowUpOptOut, FollowUpSend, Store
from kefu.commerce.schemas import TrackingEventIn
from kefu.commerce.unsubscribe import make_token
from kefu.customers import service as customers
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.kit.actor import Actor
from kefu.runtime import Runtime
from kefu.tickets.models import Message, Ticket
from tests.commerce.logistics_factories import KEY, T0, make_order, make_store, shipment
from tests.web.helpers import csrf_token

MANAGER = Actor(kind="agent", name="Mia", agent_id=None, role="manager")


def _rule(database: Database, store: Store, kind: str, **values: Any) -> None:
    fields = {
        "is_enabled": True,
        "delay_hours": 24,
        "daily_cap": 100,
        "subject": "订单 {order_number}",
        "body": "{name}您好，订单 {order_number} {tracking_url}",
        **values,
    }
    with database.unit_of_work(actor=MANAGER) as session:
        save_rule(
            session,
            actor=MANAGER,
            store_id=store.id,
            kind=kind,
            data=FollowUpRuleIn.model_validate(fields),
        )


def _run(database: Database, at: Any) -> dict[str, int]:
    with database.unit_of_work(actor=Actor.job("test")) as session:
        results = run_follow_ups(session, now=at, key=KEY, base_url="https://help.example")
    total: dict[str, int] = {}
    for counts in results.values():
        for name, count in counts.items():
            total[name] = total.get(name, 0) + count
    return total


def _sends(database: Database) -> list[tuple[int, str]]:
    with database.sessions() as session:
        rows = session.execute(
            select(FollowUpSend.order_id, FollowUpSend.sent_on).order_by(FollowUpSend.id)
        )
        return [(row[0], row[1].isoformat()) for row in rows]


def test_unpaid_reminder_is_written_once_as_an_outbound_ticket(database: Database) -> None:
    # given
    store = make_store(database)
    order = make_order(database, store=store, number="4001", payment_status="pending")
    _rule(database, store, UNPAID)
    # when: too early, then due, then again
    early = _run(database, T0 + timedelta(hours=23))
    first = _run(database, T0 + timedelta(hours=25))
    again = _run(database, T0 + timedelta(hours=26))
    # then
    assert (early, first, again) == ({}, {"sent": 1}, {})
    assert _sends(database) == [(order.id, "2026-10-02")]  # Shanghai's day
    with database.sessions() as session:
        [ticket] = session.scalars(select(Ticket)).all()
        [message] = session.scalars(select(Message)).all()
    assert (ticket.subject, ticket.channel, ticket.status, ticket.store_id) == (
        "订单 4001",
        "email",
        "pending",
        store.id,
    )
    assert (message.kind, message.author_type, message.channel) == ("reply", "agent", "email")
    token = make_token(order.customer_id or 0, store.id, key=KEY)
    assert message.body_text == (
        "Emily Chen您好，订单 4001 \n\n-- \n"
        f"不想再收到这类邮件？退订：https://help.example/unsubscribe/{token}"
    )


def test_daily_cap_counts_the_stores_day(database: Database) -> None:
    store = make_store(database)
    for n in range(3):
        make_order(
            database,
            store=store,
            number=f"41{n}",
            email=f"c{n}@example.com",
            payment_status="pending",
            placed_at=T0 + timedelta(minutes=n),
        )
    _rule(database, store, UNPAID, daily_cap=2)
    # 2026-10-02 10:00 UTC is 18:00 in Shanghai; 16:30 UTC is past midnight there
    assert _run(database, T0 + timedelta(hours=25)) == {"sent": 2, "over_cap": 1}
    assert _run(database, T0 + timedelta(hours=30)) == {"over_cap": 1}
    assert _run(database, T0 + timedelta(hours=31, minutes=30)) == {"sent": 1}
    assert [day for _order, day in _sends(database)] == ["2026-10-02", "2026-10-02", "2026-10-03"]


def test_opted_out_and_bounced_customers_are_skipped(database: Database) -> None:
    store = make_store(database)
    out = make_order(
        database, store=store, number="4201", email="out@example.com", payment_status="pending"
    )
    make_order(
        database, store=store, number="4202", email="gone@example.com", payment_status="pending"
    )
    make_order(
        database, store=store, number="4203", email="fine@example.com", payment_status="pending"
    )
    with database.unit_of_work() as session:
        session.add(FollowUpOptOut(customer_id=out.customer_id, store_id=store.id))
        customers.flag_bounced(session, email="gone@example.com", reason="550 no such user", at=T0)
    _rule(database, store, UNPAID)
    assert _run(database, T0 + timedelta(hours=25)) == {
        "opted_out": 1,
        "bounced": 1,
        "sent": 1,
    }


def test_delivery_problem_and_check_in_rules(database: Database) -> None:
    store = make_store(database, language="en", time_zone="UTC")
    failed = make_order(
        database,
        store=store,
        number="4301",
        fulfilment_status="fulfilled",
        fulfilments=[
            shipment(
                tracking_number="SF4301",
                events=[
                    TrackingEventIn(status="failed_attempt", happened_at=T0 + timedelta(days=1))
                ],
            )
        ],
    )
    delivered = make_order(
        database,
        store=store,
        number="4302",
        fulfilment_status="fulfilled",
        fulfilments=[
            shipment(
                tracking_number="SF4302",
                events=[TrackingEventIn(status="delivered", happened_at=T0 + timedelta(days=1))],
            )
        ],
    )
    # delivered long before the rule was switched on: not written to
    make_order(
        database,
        store=store,
        number="4303",
        fulfilment_status="fulfilled",
        fulfilments=[
            shipment(
                tracking_number="SF4303",
                events=[TrackingEventIn(status="delivered", happened_at=T0 - timedelta(days=60))],
            )
        ],
    )
    _rule(
        database,
        store,
        EXCEPTION,
        delay_hours=2,
        subject="Problem with {order_number}",
        body="Hi {name}, see {tracking_url}",
    )
    _rule(
        database, store, CHECKIN, delay_hours=72, subject="How is {order_number}?", body="Hi {name}"
    )
    assert _run(database, T0 + timedelta(days=1, hours=3)) == {"sent": 1}
    assert _run(database, T0 + timedelta(days=4, hours=1)) == {"sent": 1}
    assert [order_id for order_id, _day in _sends(database)] == [failed.id, delivered.id]


def test_templates_refuse_unknown_placeholders() -> None:
    with pytest.raises(ValueError, match=r"unknown placeholder \{coupon\}"):
        FollowUpRuleIn(subject="Hi {coupon}", body="x")
    with pytest.raises(ValueError, match="brace"):
        FollowUpRuleIn(subject="Hi {name", body="x")


def test_the_job_writes_and_the_email_channel_queues_the_reply(
    runtime: Runtime, database: Database
) -> None:
    store = make_store(database)
    make_order(database, store=store, number="4401", payment_status="pending")
    _rule(database, store, UNPAID)
    runtime.clock = lambda: T0 + timedelta(hours=25)
    assert list(send_follow_ups().values()) == [{"sent": 1}]
    dispatch_due(database)
    with database.sessions() as session:
        [outbound] = session.scalars(select(OutboundEmail)).all()
    assert outbound.recipients == ["emily@example.com"]


def test_unsubscribe_page_asks_then_records(client: Any, database: Database) -> None:
    store = make_store(database)
    order = make_order(database, store=store, payment_status="pending")
    from kefu.config import secret_key

    key = secret_key(client.app.state.runtime.settings)
    token = make_token(order.customer_id or 0, store.id, key=key)
    page = client.get(f"/unsubscribe/{token}")
    assert (
        page.status_code == 200
        and "Stop reminders and delivery follow-ups from Panda Tea" in page.text
    )
    with database.sessions() as session:
        assert session.scalars(select(FollowUpOptOut)).all() == []
    done = client.post(f"/unsubscribe/{token}", data={"csrf_token": csrf_token(page.text)})
    assert done.status_code == 200 and "You are unsubscribed" in done.text
    again = client.post(f"/unsubscribe/{token}", data={"csrf_token": csrf_token(page.text)})
    assert again.status_code == 200
    with database.sessions() as session:
        [row] = session.scalars(select(FollowUpOptOut)).all()
        assert (row.customer_id, row.store_id) == (order.customer_id, store.id)
    zh = client.get(f"/unsubscribe/{token}", headers={"Accept-Language": "zh-CN"})
    assert zh.status_code == 200
    assert client.get(f"/unsubscribe/{token[:-2]}xx").status_code == 404
    assert client.get("/unsubscribe/1.2.nope").status_code == 404


def test_follow_up_shows_as_an_automatic_message_on_its_ticket(
    client: Any, database: Database
) -> None:
    # given a follow-up kefu wrote (no agent wrote it)
    from tests.tickets.test_pages import signed_in

    store = make_store(database)
    make_order(database, store=store, number="4001", payment_status="pending")
    _rule(database, store, UNPAID)
    _run(database, T0 + timedelta(hours=25))
    with database.sessions() as session:
        ticket_id = session.scalars(select(Ticket.id)).one()
    signed_in(client, database)
    # when
    page = client.get(f"/tickets/{ticket_id}")
    # then
    assert "<strong>Automatic message</strong>" in page.text and "Unknown" not in page.text
