"""What a ticket page and the API show of tickets: each list loaded in a fixed number of
queries (tags, fields, followers, CCs, links, attachments), never one per row."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.customers import service as customers
from kefu.kit.actor import Actor
from kefu.kit.pagination import MAX_PAGE_SIZE, Page, newest_first
from kefu.permissions import require
from kefu.tickets import fields as custom_fields
from kefu.tickets.merge import linked_ids
from kefu.tickets.messages import attachments_of, list_messages
from kefu.tickets.models import (
    Attachment,
    CustomField,
    Message,
    Tag,
    Ticket,
    TicketCc,
    TicketFollower,
    TicketLink,
    TicketTag,
)
from kefu.tickets.schemas import AttachmentRead, MessageRead, TagCount, TicketRead
from kefu.tickets.service import read_ticket
from kefu.tickets.tagging import tags_of

if TYPE_CHECKING:
    from kefu.accounts.models import Agent
    from kefu.customers.models import Customer, CustomerIdentity


def _grouped(session: Session, column_pairs: Any, ticket_ids: list[int]) -> dict[int, list[int]]:
    result: dict[int, list[int]] = {tid: [] for tid in ticket_ids}
    key, value = column_pairs
    if ticket_ids:
        for ticket_id, item in session.execute(
            select(key, value).where(key.in_(ticket_ids)).order_by(value)
        ):
            result[ticket_id].append(item)
    return result


def ticket_reads(session: Session, tickets: list[Ticket]) -> list[TicketRead]:
    ids = [t.id for t in tickets]
    tags = tags_of(session, ids)
    values = custom_fields.current_values(session, ids)
    followers = _grouped(session, (TicketFollower.ticket_id, TicketFollower.agent_id), ids)
    ccs = _grouped(session, (TicketCc.ticket_id, TicketCc.customer_id), ids)
    links = _grouped(session, (TicketLink.ticket_id, TicketLink.linked_ticket_id), ids)
    return [
        TicketRead.model_validate(t).model_copy(
            update={
                "tags": tags[t.id],
                "fields": values[t.id],
                "follower_ids": followers[t.id],
                "cc_customer_ids": ccs[t.id],
                "linked_ticket_ids": links[t.id],
            }
        )
        for t in tickets
    ]


def message_reads(session: Session, messages: list[Message]) -> list[MessageRead]:
    files = attachments_of(session, [m.id for m in messages])
    return [
        MessageRead.model_validate(m).model_copy(
            update={"attachments": [AttachmentRead.model_validate(a) for a in files[m.id]]}
        )
        for m in messages
    ]


@dataclass
class TicketThread:
    """Everything the ticket page shows, loaded up front."""

    ticket: Ticket
    read: TicketRead
    messages: list[Message]
    attachments: dict[int, list[Attachment]]
    requester: Customer
    identities: list[CustomerIdentity]
    ccs: list[Customer]
    agents: dict[int, Agent]
    customers: dict[int, Customer]
    other_tickets: list[Ticket]
    fields: list[CustomField] = field(default_factory=list)


def load_thread(session: Session, *, actor: Actor, ticket_id: int) -> TicketThread:
    ticket = read_ticket(session, actor=actor, ticket_id=ticket_id)
    read = ticket_reads(session, [ticket])[0]
    messages = list_messages(session, ticket.id)
    people = customers.customers_by_ids(
        session,
        [ticket.requester_id, *read.cc_customer_ids]
        + [m.author_customer_id for m in messages if m.author_customer_id],
    )
    agent_ids = [ticket.assignee_id, *read.follower_ids, *(m.author_agent_id for m in messages)]
    for message in messages:
        agent_ids.extend(message.details.get("mentions", []))
    others = list(
        session.scalars(
            select(Ticket)
            .where(
                Ticket.requester_id == ticket.requester_id,
                Ticket.id != ticket.id,
                Ticket.deleted_at.is_(None),
                Ticket.merged_into_id.is_(None),
            )
            .order_by(Ticket.id.desc())
            .limit(10)
        )
    )
    return TicketThread(
        ticket=ticket,
        read=read,
        messages=messages,
        attachments=attachments_of(session, [m.id for m in messages]),
        requester=people[ticket.requester_id],
        identities=customers.identities_of(session, [ticket.requester_id])[ticket.requester_id],
        ccs=[people[c] for c in read.cc_customer_ids if c in people],
        agents=accounts.agents_by_ids(session, agent_ids),
        customers=people,
        other_tickets=others,
        fields=custom_fields.list_fields(session),
    )


def customer_tickets(
    session: Session,
    *,
    actor: Actor,
    customer_id: int,
    before_id: int | None = None,
    limit: int = 25,
) -> Page[Ticket]:
    """A customer's tickets, newest first (the customer page and the API)."""
    require(actor, "tickets.read")
    customers.get_customer(session, customer_id)
    statement = select(Ticket).where(
        Ticket.requester_id == customer_id, Ticket.deleted_at.is_(None)
    )
    return newest_first(session, statement, Ticket.id, before_id=before_id, limit=limit)


def ticket_messages(
    session: Session, *, actor: Actor, ticket_id: int, after_id: int | None = None, limit: int = 50
) -> Page[Message]:
    """A ticket's conversation, oldest first (the order it is read in), in pages."""
    ticket = read_ticket(session, actor=actor, ticket_id=ticket_id)
    statement = select(Message).where(Message.ticket_id == ticket.id)
    if after_id is not None:
        statement = statement.where(Message.id > after_id)
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    rows = list(session.scalars(statement.order_by(Message.id).limit(limit + 1)))
    next_cursor = rows[limit - 1].id if len(rows) > limit else None
    return Page(items=rows[:limit], next_cursor=next_cursor)


def linked_tickets(session: Session, *, actor: Actor, ticket_id: int) -> list[Ticket]:
    ticket = read_ticket(session, actor=actor, ticket_id=ticket_id)
    ids = linked_ids(session, ticket.id)
    if not ids:
        return []
    return list(session.scalars(select(Ticket).where(Ticket.id.in_(ids)).order_by(Ticket.id)))


def tag_counts(session: Session, *, actor: Actor) -> list[TagCount]:
    """Every tag with how many live tickets carry it, most used first."""
    require(actor, "tickets.read")
    live = and_(
        Ticket.id == TicketTag.ticket_id,
        Ticket.deleted_at.is_(None),
        Ticket.merged_into_id.is_(None),
    )
    count = func.count(Ticket.id)
    rows = session.execute(
        select(Tag.name, count)
        .select_from(Tag)
        .outerjoin(TicketTag, TicketTag.tag_id == Tag.id)
        .outerjoin(Ticket, live)
        .group_by(Tag.id, Tag.name)
        .order_by(count.desc(), Tag.name)
    )
    return [TagCount(name=name, ticket_count=int(n)) for name, n in rows]
