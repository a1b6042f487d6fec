"""The first customer message of each ticket created in a period: what the ai domain's
trends cluster into topics (one ticket counts once, by what it was opened about)."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from kefu.kit.clock import as_utc
from kefu.tickets.models import Message, Ticket

CHUNK = 2000


@dataclass(frozen=True, slots=True)
class OpeningMessage:
    ticket_id: int
    message_id: int
    created_at: datetime  # the message's (a mail imported late keeps its own date)
    text: str


def opening_messages(
    session: Session, *, since: datetime, until: datetime, limit: int, max_chars: int = 1000
) -> Iterator[OpeningMessage]:
    """Tickets whose first public message is the customer's, written in [since, until)
    (the ticket opened since `since`), not deleted or merged away, newest first (at most
    `limit`); the text is the body, or the subject when the body is empty, cut to
    `max_chars`."""
    first = aliased(Message)
    first_id = (
        select(func.min(first.id))
        .where(first.ticket_id == Ticket.id, first.kind == "reply")
        .scalar_subquery()
    )
    statement = (
        select(Ticket.id, Message.created_at, Ticket.subject, Message.id, Message.body_text)
        .join(Message, and_(Message.id == first_id, Message.author_type == "customer"))
        .where(Ticket.created_at >= since)
        .where(Message.created_at >= since, Message.created_at < until)
        .where(Ticket.deleted_at.is_(None), Ticket.merged_into_id.is_(None))
        .order_by(Message.created_at.desc(), Message.id.desc())
        .limit(limit)
        .execution_options(yield_per=CHUNK)
    )
    for ticket_id, created_at, subject, message_id, body in session.execute(statement):
        text = " ".join((body or "").split()) or (subject or "").strip()
        if text:
            yield OpeningMessage(ticket_id, message_id, as_utc(created_at), text[:max_chars])
