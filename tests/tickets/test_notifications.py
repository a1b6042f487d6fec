"""In-app notifications: made once by the outbox handlers, read and marked by the agent,
pushed to the badge after commit."""

import asyncio
from typing import Any

import pytest
from sqlalchemy import select

from kefu.accounts import service as accounts
from kefu.accounts.schemas import AgentUpdate
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.errors import InvalidInput
from kefu.events import Event
from kefu.kit.actor import Actor
from kefu.kit.broadcast import Broadcast
from kefu.runtime import Runtime
from kefu.tickets import notifications
from kefu.tickets.messages import add_message as add_ticket_message
from kefu.tickets.models import Notification
from kefu.tickets.notify_jobs import notify_assignee, notify_message
from kefu.tickets.schemas import MessageCreate, TicketUpdate
from kefu.tickets.service import update_ticket
from tests.accounts.factories import make_admin, make_agent
from tests.live import run
from tests.tickets.factories import make_ticket as open_ticket
from tests.tickets.factories import receive
from tests.tickets.rt_factories import add_message, assign, make_ticket


def notices(database: Database) -> list[tuple[int, str, int | None, str]]:
    with database.sessions() as session:
        rows = session.scalars(select(Notification).order_by(Notification.id))
        return [(n.agent_id, n.kind, n.ticket_id, n.actor_name) for n in rows]


def run_handler(database: Database, handler: Any, event_id: int) -> None:
    with database.unit_of_work(actor=Actor.job("test")) as session:
        handler(session, session.get_one(Event, event_id))


def test_assignment_by_someone_else_notifies_once_even_when_the_handler_runs_twice(
    database: Database,
) -> None:
    # given Ada assigns Bo's ticket to Bo
    ada, bo = make_admin(database), make_agent(database, name="Bo Chen")
    ticket = make_ticket(database)
    event_id = assign(database, ticket=ticket, to=bo.id, by=ada)
    # when the handler runs, and runs again after a retry
    run_handler(database, notify_assignee, event_id)
    run_handler(database, notify_assignee, event_id)
    # then Bo has exactly one notice
    assert notices(database) == [(bo.id, "assigned", ticket.id, "Ada Admin")]


def test_nobody_is_notified_of_their_own_action(database: Database) -> None:
    bo = make_agent(database, name="Bo Chen")
    ticket = make_ticket(database)
    run_handler(database, notify_assignee, assign(database, ticket=ticket, to=bo.id, by=bo))
    own_mention = add_message(database, ticket=ticket, author=bo, kind="note", mentions=[bo.id])
    run_handler(database, notify_message, own_mention)
    unassigned = assign(database, ticket=ticket, to=None, by=None)
    run_handler(database, notify_assignee, unassigned)
    assert notices(database) == []


def test_mentions_notify_each_agent_once_and_skip_unknown_and_inactive_ones(
    database: Database,
) -> None:
    ada, bo = make_admin(database), make_agent(database, name="Bo Chen")
    cy = make_agent(database, email="cy@example.com", name="Cy Lin")
    with database.unit_of_work() as session:
        accounts.update_agent(
            session, actor=Actor.system(), agent_id=cy.id, data=AgentUpdate(is_active=False)
        )
    ticket = make_ticket(database)
    event_id = add_message(
        database,
        ticket=ticket,
        author=ada,
        kind="note",
        mentions=[bo.id, bo.id, ada.id, cy.id, 9999, "x"],
    )
    run_handler(database, notify_message, event_id)
    assert notices(database) == [(bo.id, "mentioned", ticket.id, "Ada Admin")]


def test_customer_reply_notifies_the_assignee_and_an_agent_reply_does_not(
    database: Database,
) -> None:
    ada, bo = make_admin(database), make_agent(database, name="Bo Chen")
    ticket = make_ticket(database, assignee_id=bo.id)
    nobodys = make_ticket(database, customer_name="Lena")
    run_handler(database, notify_message, add_message(database, ticket=ticket, assignee_id=bo.id))
    run_handler(
        database,
        notify_message,
        add_message(database, ticket=ticket, author=ada, assignee_id=bo.id),
    )
    run_handler(database, notify_message, add_message(database, ticket=nobodys))
    assert notices(database) == [(bo.id, "customer_replied", ticket.id, "")]


def test_the_outbox_delivers_events_to_the_handlers(database: Database) -> None:
    ada, bo = make_admin(database), make_agent(database, name="Bo Chen")
    ticket = make_ticket(database)
    assign(database, ticket=ticket, to=bo.id, by=ada)
    add_message(database, ticket=ticket, author=bo, kind="note", mentions=[ada.id])
    report = dispatch_due(database)
    # two events, each for the notification handler, the search index handler, the SLA
    # clocks, the rules' triggers and their ticket clocks, and the note for the email and
    # chat channels' reply handlers too (which send replies, never notes), the assignment for
    # the team assignment handler, each for feedback (CSAT scheduling, review follow-up)
    # and each for analytics (the ticket's metrics, then its SLA outcome)
    assert (report.done, report.errors) == (19, [])
    assert notices(database) == [
        (bo.id, "assigned", ticket.id, "Ada Admin"),
        (ada.id, "mentioned", ticket.id, "Bo Chen"),
    ]


def test_badge_update_is_published_after_the_handler_commits(
    runtime: Runtime, database: Database, broadcast: Broadcast
) -> None:
    runtime.broadcast = broadcast
    ada, bo = make_admin(database), make_agent(database, name="Bo Chen")
    ticket = make_ticket(database)
    event_id = assign(database, ticket=ticket, to=bo.id, by=ada)

    async def scenario() -> Any:
        async with broadcast.subscribe(notifications.agent_channel(bo.id)) as subscription:
            await asyncio.to_thread(run_handler, database, notify_assignee, event_id)
            await asyncio.to_thread(run_handler, database, notify_assignee, event_id)  # no-op
            await broadcast.publish(notifications.agent_channel(bo.id), {"type": "marker"})
            got = [await subscription.receive(timeout=5) for _ in range(2)]
        await broadcast.end_subscriptions()
        return got

    assert run(scenario()) == [
        (f"agent:{bo.id}", {"type": "badge", "unread": 1}),
        (f"agent:{bo.id}", {"type": "marker"}),
    ]


def test_a_rolled_back_change_publishes_nothing(
    runtime: Runtime, database: Database, broadcast: Broadcast
) -> None:
    runtime.broadcast = broadcast
    bo = make_agent(database, name="Bo Chen")
    ticket = make_ticket(database)
    channel = notifications.agent_channel(bo.id)

    def notify_then_fail() -> None:
        with pytest.raises(RuntimeError), database.unit_of_work() as session:
            notifications.notify(
                session, event_id=1, agent_id=bo.id, kind="assigned", ticket_id=ticket.id
            )
            raise RuntimeError("the request failed after the notice was added")

    async def scenario() -> Any:
        async with broadcast.subscribe(channel) as subscription:
            await asyncio.to_thread(notify_then_fail)
            await broadcast.publish(channel, {"type": "marker"})
            got = await subscription.receive(timeout=5)
        await broadcast.end_subscriptions()
        return got

    assert run(scenario()) == (channel, {"type": "marker"})
    assert notices(database) == []


def test_list_count_and_mark_read_see_only_ones_own(database: Database) -> None:
    ada, bo = make_admin(database), make_agent(database, name="Bo Chen")
    ticket, other = make_ticket(database), make_ticket(database, customer_name="Lena")
    for n, ticket_id in enumerate([ticket.id, other.id, ticket.id], start=1):
        with database.unit_of_work() as session:
            notifications.notify(
                session, event_id=n, agent_id=bo.id, kind="mentioned", ticket_id=ticket_id
            )
    with database.unit_of_work() as session:
        notifications.notify(
            session, event_id=9, agent_id=ada.id, kind="assigned", ticket_id=ticket.id
        )
    bo_actor, ada_actor = accounts.actor_for(bo), accounts.actor_for(ada)
    with database.unit_of_work() as session:
        first = notifications.list_notifications(session, actor=bo_actor, limit=2)
        second = notifications.list_notifications(
            session, actor=bo_actor, cursor=first.next_cursor, limit=2
        )
        assert [n.event_id for n in first.items] == [3, 2]
        assert ([n.event_id for n in second.items], second.next_cursor) == ([1], None)
        ada_id = notifications.list_notifications(session, actor=ada_actor).items[0].id
        # Bo cannot mark Ada's notice read; opening the ticket reads both of its notices
        assert notifications.mark_read(session, actor=bo_actor, ids=[ada_id]) == 0
        assert notifications.mark_ticket_read(session, actor=bo_actor, ticket_id=ticket.id) == 2
        assert notifications.unread_count(session, actor=bo_actor) == 1
        assert notifications.mark_read(session, actor=bo_actor, all=True) == 1
        assert notifications.unread_count(session, actor=bo_actor) == 0
        assert notifications.unread_count(session, actor=ada_actor) == 1
        with pytest.raises(InvalidInput):
            notifications.mark_read(session, actor=bo_actor)
        with pytest.raises(InvalidInput):
            notifications.mark_read(session, actor=bo_actor, ids=[1], all=True)
        with pytest.raises(InvalidInput):
            notifications.unread_count(session, actor=Actor.system())


def test_the_ticket_services_events_become_notifications(database: Database) -> None:
    # given a ticket Ada opens for Bo, made through the ticket services and ingest
    ada, bo = make_admin(database), make_agent(database, name="Bo Chen")
    cy = make_agent(database, email="cy@example.com", name="Cy Lin")
    ada_actor = accounts.actor_for(ada)
    ticket = open_ticket(database, actor=ada_actor, assignee_id=bo.id)
    # when Ada hands it to Cy, the customer writes again, and Cy mentions Ada in a note
    with database.unit_of_work(actor=ada_actor) as session:
        update_ticket(
            session, actor=ada_actor, ticket_id=ticket.id, data=TicketUpdate(assignee_id=cy.id)
        )
    receive(database, ticket_id=ticket.id, text="Any news on my refund?")
    cy_actor = accounts.actor_for(cy)
    with database.unit_of_work(actor=cy_actor) as session:
        note = MessageCreate(kind="note", body_text="@Ada please approve", mentions=[ada.id])
        add_ticket_message(session, actor=cy_actor, ticket_id=ticket.id, data=note)
    assert dispatch_due(database).errors == []
    # then Bo, Cy and Ada are each told what concerns them
    assert notices(database) == [
        (bo.id, "assigned", ticket.id, "Ada Admin"),
        (cy.id, "assigned", ticket.id, "Ada Admin"),
        (cy.id, "customer_replied", ticket.id, ""),
        (ada.id, "mentioned", ticket.id, "Cy Lin"),
    ]
