"""Tickets test data, made through the services (ingest for customer messages)."""

from kefu.db import Database
from kefu.ingest.schemas import InboundMessage, IngestResult, Sender
from kefu.ingest.service import ingest
from kefu.kit.actor import Actor
from kefu.tickets import service
from kefu.tickets.models import Ticket
from kefu.tickets.schemas import MessageCreate, RequesterIn, TicketCreate

_sequence = iter(range(1, 10**9))


def receive(
    database: Database,
    *,
    email: str = "emily@example.com",
    name: str = "Emily Chen",
    subject: str = "Where is my order?",
    text: str = "I ordered a week ago and nothing has arrived.",
    channel: str = "email",
    source_id: str | None = None,
    references: tuple[str, ...] = (),
    ticket_id: int | None = None,
) -> IngestResult:
    """A customer message arriving through ingest, as a channel would deliver it."""
    message = InboundMessage(
        channel=channel,
        source_id=source_id or f"<msg-{next(_sequence)}@example.com>",
        sender=Sender(email=email, name=name),
        subject=subject,
        body_text=text,
        references=list(references),
        ticket_id=ticket_id,
    )
    with database.unit_of_work(actor=Actor.system()) as session:
        return ingest(session, message=message)


def make_ticket(
    database: Database,
    *,
    actor: Actor | None = None,
    subject: str = "Refund for order 1001",
    email: str = "emily@example.com",
    text: str | None = "Please refund my order.",
    **values: object,
) -> Ticket:
    who = actor or Actor.system()
    data = TicketCreate(
        subject=subject,
        requester=RequesterIn(email=email),
        message=MessageCreate(kind="note", body_text=text) if text else None,
        **values,
    )
    with database.unit_of_work(actor=who) as session:
        return service.create_ticket(session, actor=who, data=data)
