"""Merging tickets, splitting a message off into its own ticket, linking related tickets."""

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kefu.errors import Conflict, InvalidInput, NotFound
from kefu.events import emit
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.tickets.messages import record_message
from kefu.tickets.models import Message, Ticket, TicketCc, TicketFollower, TicketLink
from kefu.tickets.schemas import Status
from kefu.tickets.service import (
    add_cc,
    ccs_of,
    editable_ticket,
    followers_of,
    open_ticket,
    record_update,
)
from kefu.tickets.tagging import set_tags, tags_of


def merge_tickets(
    session: Session, *, actor: Actor, target_id: int, source_ids: list[int]
) -> Ticket:
    """Fold each source ticket into the target: its messages move over (so the thread reads
    as one conversation), tags, followers and CCs are united, and the source is closed with
    a pointer to the target. Different requesters stay as CCs on the target."""
    require(actor, "tickets.update")
    sources = list(dict.fromkeys(source_ids))
    if target_id in sources:
        raise Conflict("a ticket cannot be merged into itself")
    target = editable_ticket(session, target_id)
    tickets = [editable_ticket(session, source_id) for source_id in sources]
    tags = tags_of(session, [target.id, *sources])
    merged_tags = [tag for ticket_id in (target.id, *sources) for tag in tags[ticket_id]]
    for source in tickets:
        moved = session.execute(
            update(Message).where(Message.ticket_id == source.id).values(ticket_id=target.id)
        ).rowcount
        target.message_count = (target.message_count or 0) + int(moved or 0)
        if source.last_message_at and (
            target.last_message_at is None or source.last_message_at > target.last_message_at
        ):
            target.last_message_at = source.last_message_at
        following = set(followers_of(session, target.id))
        for agent_id in set(followers_of(session, source.id)) - following:
            session.add(TicketFollower(ticket_id=target.id, agent_id=agent_id))
        for customer_id in [source.requester_id, *ccs_of(session, source.id)]:
            add_cc(session, target, customer_id)
        changes: dict[str, list[object]] = {"status": [source.status, Status.CLOSED]}
        source.status = Status.CLOSED
        source.merged_into_id = target.id
        source.message_count = 0
        record_update(session, source, changes, actor=actor)
        emit(
            session,
            "ticket.merged",
            subject_type="ticket",
            subject_id=source.id,
            payload={"into_id": target.id},
            actor=actor,
        )
    set_tags(session, target, merged_tags)
    record_message(
        session,
        target,
        kind="note",
        author_type="system",
        body_text=_(
            "Merged tickets %(numbers)s into this ticket.",
            numbers=", ".join(f"#{t.id}" for t in tickets),
        ),
    )
    return target


def split_message(session: Session, *, actor: Actor, ticket_id: int, message_id: int) -> Ticket:
    """Move one customer message into a new ticket of its own (two questions in one mail)."""
    require(actor, "tickets.update")
    ticket = editable_ticket(session, ticket_id)
    message = session.get(Message, message_id)
    if message is None or message.ticket_id != ticket.id:
        raise NotFound(f"message {message_id} is not on ticket {ticket_id}")
    if ticket.message_count <= 1:
        raise InvalidInput("the ticket has only this message; nothing to split off")
    requester_id = message.author_customer_id or ticket.requester_id
    new = open_ticket(
        session,
        subject=ticket.subject,
        requester_id=requester_id,
        channel=ticket.channel,
        status=Status.OPEN,
        priority=ticket.priority,
        type=ticket.type,
        store_id=ticket.store_id,
        team_id=ticket.team_id,
        tags=tags_of(session, [ticket.id])[ticket.id],
    )
    message.ticket_id = new.id
    new.message_count = 1
    new.last_message_at = message.created_at
    ticket.message_count -= 1
    session.flush()
    connect(session, ticket, new, actor=actor)
    emit(
        session,
        "ticket.split",
        subject_type="ticket",
        subject_id=new.id,
        payload={"from_id": ticket.id, "message_id": message.id},
        actor=actor,
    )
    return new


def link_tickets(session: Session, *, actor: Actor, ticket_id: int, other_id: int) -> None:
    require(actor, "tickets.update")
    if ticket_id == other_id:
        raise Conflict("a ticket cannot be linked to itself")
    first, second = editable_ticket(session, ticket_id), editable_ticket(session, other_id)
    if second.id in linked_ids(session, first.id):
        raise Conflict(f"tickets #{first.id} and #{second.id} are already linked")
    connect(session, first, second, actor=actor)


def connect(session: Session, first: Ticket, second: Ticket, *, actor: Actor) -> None:
    """Link two tickets both ways (a split, a follow-up of a closed ticket)."""
    session.add_all(
        [
            TicketLink(ticket_id=first.id, linked_ticket_id=second.id),
            TicketLink(ticket_id=second.id, linked_ticket_id=first.id),
        ]
    )
    session.flush()
    for one, other in ((first, second), (second, first)):
        record_update(session, one, {"links": [None, other.id]}, actor=actor)


def linked_ids(session: Session, ticket_id: int) -> list[int]:
    return list(
        session.scalars(
            select(TicketLink.linked_ticket_id)
            .where(TicketLink.ticket_id == ticket_id)
            .order_by(TicketLink.linked_ticket_id)
        )
    )


def move_customer(session: Session, source_id: int, target_id: int) -> None:
    """Customer merge hook: the source customer's tickets, CCs and messages follow."""
    session.execute(
        update(Ticket).where(Ticket.requester_id == source_id).values(requester_id=target_id)
    )
    session.execute(
        update(Message)
        .where(Message.author_customer_id == source_id)
        .values(author_customer_id=target_id)
    )
    cc_tickets = list(
        session.scalars(select(TicketCc.ticket_id).where(TicketCc.customer_id == source_id))
    )
    session.execute(TicketCc.__table__.delete().where(TicketCc.customer_id == source_id))
    for ticket_id in cc_tickets:
        ticket = session.get(Ticket, ticket_id)
        if ticket is not None:
            add_cc(session, ticket, target_id)
    session.flush()
