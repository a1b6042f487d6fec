"""Ingest: customer identified, threaded or new ticket, stored once, events out."""

import threading

from sqlalchemy import func, select

from kefu.accounts.service import actor_for
from kefu.customers.models import Customer, CustomerIdentity
from kefu.db import Database
from kefu.events import Event
from kefu.tickets import service
from kefu.tickets.messages import add_message
from kefu.tickets.models import Message, Ticket
from kefu.tickets.schemas import MessageCreate, TicketUpdate
from tests.accounts.factories import make_agent
from tests.tickets.factories import receive


def _count(database: Database, model: type) -> int:
    with database.unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_first_message_creates_customer_and_new_ticket(database: Database) -> None:
    # when
    result = receive(database, email="Emily@Example.com", name="Emily Chen")
    # then
    assert result.is_new_ticket and not result.is_duplicate
    with database.unit_of_work() as session:
        ticket = session.get(Ticket, result.ticket_id)
        customer = session.get(Customer, result.customer_id)
        identity = session.scalar(select(CustomerIdentity))
        events = list(session.scalars(select(Event.type).order_by(Event.id)))
    assert (ticket.subject, ticket.status, ticket.channel) == ("Where is my order?", "new", "email")
    assert (ticket.message_count, ticket.requester_id) == (1, customer.id)
    assert customer.name == "Emily Chen"
    assert (identity.kind, identity.value) == ("email", "emily@example.com")
    assert events[-3:] == ["customer.created", "ticket.created", "message.added"] or set(
        events
    ) >= {"customer.created", "ticket.created", "message.added"}


def test_same_source_id_is_stored_once(database: Database) -> None:
    first = receive(database, source_id="<same@example.com>")
    # when
    again = receive(database, source_id="<same@example.com>")
    # then
    assert again.is_duplicate and (again.ticket_id, again.message_id) == (
        first.ticket_id,
        first.message_id,
    )
    assert _count(database, Message) == 1
    assert _count(database, Ticket) == 1


def test_concurrent_duplicates_store_one_message(database: Database) -> None:
    results = []

    def deliver() -> None:
        results.append(receive(database, source_id="<race@example.com>", email="race@example.com"))

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4
    assert sum(not r.is_duplicate for r in results) == 1
    assert _count(database, Message) == 1
    assert _count(database, Customer) == 1


def test_reply_referencing_an_earlier_message_threads_and_reopens(database: Database) -> None:
    first = receive(database, source_id="<a@example.com>")
    with database.unit_of_work() as session:
        ticket = session.get(Ticket, first.ticket_id)
        ticket.status = "solved"
    # when
    reply = receive(
        database, subject="Re: Where is my order?", references=("<x@y>", "<a@example.com>")
    )
    # then
    assert reply.ticket_id == first.ticket_id and not reply.is_new_ticket
    with database.unit_of_work() as session:
        ticket = session.get(Ticket, first.ticket_id)
        assert (ticket.status, ticket.message_count, ticket.solved_at) == ("open", 2, None)


def test_same_subject_from_two_customers_makes_two_tickets(database: Database) -> None:
    one = receive(database, email="a@example.com")
    two = receive(database, email="b@example.com")
    assert one.ticket_id != two.ticket_id
    assert one.customer_id != two.customer_id


def test_ticket_hint_from_a_stranger_opens_a_new_ticket(database: Database) -> None:
    first = receive(database, email="a@example.com")
    # when
    other = receive(database, email="mallory@example.com", ticket_id=first.ticket_id)
    # then
    assert other.ticket_id != first.ticket_id and other.is_new_ticket


def test_message_on_closed_ticket_opens_linked_follow_up(database: Database) -> None:
    first = receive(database, source_id="<c@example.com>")
    with database.unit_of_work() as session:
        session.get(Ticket, first.ticket_id).status = "closed"
    # when
    follow_up = receive(database, references=("<c@example.com>",))
    # then
    assert follow_up.is_new_ticket and follow_up.ticket_id != first.ticket_id
    with database.unit_of_work() as session:
        from kefu.tickets.merge import linked_ids

        assert linked_ids(session, follow_up.ticket_id) == [first.ticket_id]


def test_agent_reply_opens_new_ticket_and_customer_reply_reopens_pending(
    database: Database,
) -> None:
    agent = make_agent(database)
    first = receive(database, source_id="<p@example.com>")
    with database.unit_of_work() as session:
        add_message(
            session,
            actor=actor_for(agent),
            ticket_id=first.ticket_id,
            data=MessageCreate(body_text="It ships tomorrow.", status="pending"),
        )
    with database.unit_of_work() as session:
        assert session.get(Ticket, first.ticket_id).status == "pending"
    # when
    receive(database, references=("<p@example.com>",))
    # then
    with database.unit_of_work() as session:
        assert session.get(Ticket, first.ticket_id).status == "open"
        service.update_ticket(
            session,
            actor=actor_for(agent),
            ticket_id=first.ticket_id,
            data=TicketUpdate(add_tags=["Where Is", "vip"]),
        )
    with database.unit_of_work() as session:
        assert service.tags_of(session, [first.ticket_id])[first.ticket_id] == ["vip", "where_is"]
