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


def lock_tickets(session: Session, ticket_ids: Iterable[int]) -> dict[int, Ticket]:
    """`tickets_by_ids` with their rows locked until commit (FOR NO KEY UPDATE, the lock an
    UPDATE takes, in id order) and read again: what another transaction committed meanwhile
    replaces what the session held, as `session.refresh(ticket, with_for_update=True)` does
    for one. Not FOR UPDATE: that would also wait for (and deadlock with) transactions that
    only insert rows referring to the tickets, such as an import's messages."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return {}
    statement = (
        select(Ticket)
        .where(Ticket.id.in_(ids))
        .order_by(Ticket.id)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return {t.id: t for t in session.scalars(statement)}


def lock_ticket_rows(session: Session, ticket_ids: list[int]) -> None:
    """Lock these tickets' rows as `lock_tickets` does, without reading them: a dispatch
    batch's tickets, before its first handler (kefu/events.py `locks_subjects`), in id
    order as the bulk ingest updates them."""
    ids = sorted(ticket_ids)
    for start in range(0, len(ids), 1000):
        part = ids[start : start + 1000]
        session.execute(
            select(Ticket.id)
            .where(Ticket.id.in_(part))
            .order_by(Ticket.id)
            .with_for_update(key_share=True)
        ).all()


def messages_by_ids(session: Session, message_ids: Iterable[int]) -> dict[int, Message]:
    ids = sorted(set(message_ids))
    if not ids:
        return {}
    return {m.id: m for m in session.scalars(select(Message).where(Message.id.in_(ids)))}
