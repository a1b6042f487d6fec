"""Many tickets or messages read in one query, for batch event handlers: what they return
stays in the session (held by the caller), so each event's `get_ticket` / `get_message`
then finds its row without a query of its own."""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.tickets.models import Message, Ticket


def tickets_by_ids(session: Session, ticket_ids: Iterable[int]) -> dict[int, Ticket]:
    """The tickets that exist of these ids, deleted ones included."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return {}
    return {t.id: t for t in session.scalars(select(Ticket).where(Ticket.id.in_(ids)))}


def messages_by_ids(session: Session, message_ids: Iterable[int]) -> dict[int, Message]:
    ids = sorted(set(message_ids))
    if not ids:
        return {}
    return {m.id: m for m in session.scalars(select(Message).where(Message.id.in_(ids)))}
