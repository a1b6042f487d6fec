"""Shared-inbox rows and events for the real-time tests.

Rows are inserted directly and events emitted in the shape CONTRACT.md gives, because the
ticket services are written in parallel; switch to them once they are on main."""

from collections.abc import Sequence
from typing import Any

from kefu.accounts.models import Agent
from kefu.accounts.service import actor_for
from kefu.customers.models import Customer
from kefu.db import Database
from kefu.events import emit
from kefu.kit.actor import Actor
from kefu.tickets.models import Message, Ticket


def make_ticket(
    database: Database,
    *,
    subject: str = "Where is my order #1001?",
    assignee_id: int | None = None,
    customer_name: str = "Chen Wei",
) -> Ticket:
    with database.unit_of_work(actor=Actor.system()) as session:
        customer = Customer(name=customer_name)
        session.add(customer)
        session.flush()
        ticket = Ticket(
            subject=subject, status="open", requester_id=customer.id, assignee_id=assignee_id
        )
        session.add(ticket)
        session.flush()
        return ticket


def emit_ticket_event(
    database: Database,
    event_type: str,
    *,
    ticket_id: int,
    payload: dict[str, Any],
    by: Agent | None = None,
) -> int:
    """Emit an event as `by` (an agent) or the system did; returns the event id."""
    actor = actor_for(by) if by is not None else Actor.system()
    with database.unit_of_work(actor=actor) as session:
        event = emit(
            session,
            event_type,
            subject_type="ticket",
            subject_id=ticket_id,
            payload=payload,
            actor=actor,
        )
        return event.id


def assign(database: Database, *, ticket: Ticket, to: int | None, by: Agent | None) -> int:
    """Move the ticket to another assignee and emit ticket.updated; returns the event id."""
    with database.unit_of_work() as session:
        row = session.get_one(Ticket, ticket.id)
        before, row.assignee_id = row.assignee_id, to
    return emit_ticket_event(
        database,
        "ticket.updated",
        ticket_id=ticket.id,
        payload={"changes": {"assignee_id": [before, to]}},
        by=by,
    )


def add_message(
    database: Database,
    *,
    ticket: Ticket,
    author: Agent | None = None,
    kind: str = "reply",
    mentions: Sequence[Any] = (),
    assignee_id: int | None = None,
    body: str = "Any news?",
) -> int:
    """Store a message (by the agent, or else by the customer) and emit message.added."""
    with database.unit_of_work() as session:
        message = Message(
            ticket_id=ticket.id,
            kind=kind,
            author_type="agent" if author else "customer",
            author_agent_id=author.id if author else None,
            author_customer_id=None if author else ticket.requester_id,
            body_text=body,
        )
        session.add(message)
        session.flush()
        message_id = message.id
    return emit_ticket_event(
        database,
        "message.added",
        ticket_id=ticket.id,
        payload={
            "message_id": message_id,
            "kind": kind,
            "author_type": "agent" if author else "customer",
            "author_agent_id": author.id if author else None,
            "author_customer_id": None if author else ticket.requester_id,
            "mentions": list(mentions),
            "assignee_id": assignee_id,
        },
        by=author,
    )
