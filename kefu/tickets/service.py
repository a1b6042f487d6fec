"""Tickets: create, change, delete and restore; every change leaves an event."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.customers import service as customers
from kefu.errors import Conflict, InvalidInput, NotFound
from kefu.events import emit
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.kit.tags import normalize_tags
from kefu.permissions import can, require
from kefu.tickets import fields as custom_fields
from kefu.tickets.models import Message, Ticket, TicketCc, TicketFollower
from kefu.tickets.schemas import RequesterIn, Status, TicketCreate, TicketUpdate
from kefu.tickets.staged import settle_ticket, stage_update
from kefu.tickets.tagging import set_tags, tags_of

if TYPE_CHECKING:
    from kefu.customers.models import Customer

OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)


def get_ticket(session: Session, ticket_id: int, *, include_deleted: bool = False) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None or (ticket.deleted_at is not None and not include_deleted):
        raise NotFound(f"ticket {ticket_id} not found")
    return ticket


def recent_tickets_of(session: Session, customer_id: int, *, since: datetime) -> list[Ticket]:
    """A customer's live tickets active since a time, most recently active first."""
    return list(
        session.scalars(
            select(Ticket)
            .where(
                Ticket.requester_id == customer_id,
                Ticket.updated_at >= since,
                Ticket.deleted_at.is_(None),
                Ticket.merged_into_id.is_(None),
            )
            .order_by(Ticket.updated_at.desc(), Ticket.id.desc())
            .limit(50)
        )
    )


def read_ticket(session: Session, *, actor: Actor, ticket_id: int) -> Ticket:
    require(actor, "tickets.read")
    return get_ticket(session, ticket_id, include_deleted=can(actor, "tickets.delete"))


def editable_ticket(session: Session, ticket_id: int) -> Ticket:
    """A ticket agents may still change: closed and merged tickets are kept as they are."""
    ticket = get_ticket(session, ticket_id)
    if ticket.merged_into_id is not None:
        raise Conflict(f"ticket {ticket_id} was merged into #{ticket.merged_into_id}")
    if ticket.status == Status.CLOSED:
        raise Conflict(f"ticket {ticket_id} is closed; a new message opens a follow-up ticket")
    return ticket


def followers_of(session: Session, ticket_id: int) -> list[int]:
    return list(
        session.scalars(
            select(TicketFollower.agent_id)
            .where(TicketFollower.ticket_id == ticket_id)
            .order_by(TicketFollower.agent_id)
        )
    )


def ccs_of(session: Session, ticket_id: int) -> list[int]:
    return list(
        session.scalars(
            select(TicketCc.customer_id)
            .where(TicketCc.ticket_id == ticket_id)
            .order_by(TicketCc.customer_id)
        )
    )


def add_cc(session: Session, ticket: Ticket, customer_id: int) -> None:
    if customer_id != ticket.requester_id and customer_id not in ccs_of(session, ticket.id):
        session.add(TicketCc(ticket_id=ticket.id, customer_id=customer_id))
        session.flush()


def _set_followers(session: Session, ticket: Ticket, agent_ids: list[int]) -> list[Any] | None:
    after = sorted(set(agent_ids))
    for agent_id in after:
        accounts.get_agent(session, agent_id)
    before = followers_of(session, ticket.id)
    if before == after:
        return None
    session.execute(delete(TicketFollower).where(TicketFollower.ticket_id == ticket.id))
    session.add_all(TicketFollower(ticket_id=ticket.id, agent_id=a) for a in after)
    session.flush()
    return [before, after]


def add_followers(session: Session, ticket: Ticket, agent_ids: list[int]) -> None:
    """Add agents as followers (an agent copied on a customer's mail follows the ticket)."""
    before = followers_of(session, ticket.id)
    change = _set_followers(session, ticket, [*before, *agent_ids])
    if change is not None:
        record_update(session, ticket, {"followers": change})


def messages_from_since(session: Session, customer_id: int, *, since: datetime) -> int:
    """How many messages a customer wrote since a time (loop and flood detection)."""
    return (
        session.scalar(
            select(func.count(Message.id)).where(
                Message.author_customer_id == customer_id, Message.created_at >= since
            )
        )
        or 0
    )


def _set_ccs(session: Session, ticket: Ticket, emails: list[str]) -> list[Any] | None:
    after = sorted({customers.identify(session, email=str(e)).id for e in emails})
    before = ccs_of(session, ticket.id)
    if before == after:
        return None
    session.execute(delete(TicketCc).where(TicketCc.ticket_id == ticket.id))
    session.add_all(TicketCc(ticket_id=ticket.id, customer_id=c) for c in after)
    session.flush()
    return [before, after]


def resolve_requester(session: Session, requester: RequesterIn) -> Customer:
    if requester.customer_id is not None:
        return customers.get_customer(session, requester.customer_id, follow_merge=True)
    return customers.identify(
        session,
        email=str(requester.email) if requester.email else None,
        phone=requester.phone,
        name=requester.name,
    )


def _check_owner(session: Session, assignee_id: int | None, team_id: int | None) -> None:
    if assignee_id is not None:
        accounts.assignable_agent(session, assignee_id)
    if team_id is not None:
        accounts.get_team(session, team_id)


def create_ticket(session: Session, *, actor: Actor, data: TicketCreate) -> Ticket:
    """An agent or API client opens a ticket (customers' own messages come through ingest)."""
    require(actor, "tickets.update")
    if data.status == Status.CLOSED:
        raise InvalidInput("a new ticket cannot start closed")
    requester = resolve_requester(session, data.requester)
    _check_owner(session, data.assignee_id, data.team_id)
    ticket = open_ticket(
        session,
        subject=data.subject,
        requester_id=requester.id,
        channel=data.channel,
        status=data.status,
        priority=data.priority,
        type=data.type,
        store_id=data.store_id,
        assignee_id=data.assignee_id,
        team_id=data.team_id,
        due_at=data.due_at,
        tags=data.tags,
        fields=data.fields,
    )
    if data.status == Status.SOLVED:
        check_solvable(session, ticket)
        ticket.solved_at = ticket.created_at
    if data.message is not None:
        from kefu.tickets.messages import add_message

        add_message(session, actor=actor, ticket_id=ticket.id, data=data.message)
    return ticket


def open_ticket(
    session: Session,
    *,
    subject: str,
    requester_id: int,
    channel: str,
    status: str = Status.NEW,
    priority: str = "normal",
    tags: list[str] | None = None,
    fields: dict[str, Any] | None = None,
    created_at: datetime | None = None,
    **values: Any,
) -> Ticket:
    """Insert a ticket and emit `ticket.created`; callers have checked who may do this."""
    now = created_at or utcnow()
    ticket = Ticket(
        subject=subject.strip()[:500],
        requester_id=requester_id,
        channel=channel,
        status=status,
        priority=priority,
        created_at=now,
        updated_at=now,
        message_count=0,
        **values,
    )
    session.add(ticket)
    session.flush()
    if tags:
        set_tags(session, ticket, tags)
    if fields:
        custom_fields.set_values(session, ticket_id=ticket.id, values=fields)
    emit(
        session,
        "ticket.created",
        subject_type="ticket",
        subject_id=ticket.id,
        payload=ticket_created_payload(ticket),
    )
    return ticket


def ticket_created_payload(ticket: Any) -> dict[str, Any]:
    """What `ticket.created` says of a new ticket (a Ticket or a row with its columns)."""
    return {
        "channel": ticket.channel,
        "requester_id": ticket.requester_id,
        "assignee_id": ticket.assignee_id,
        "team_id": ticket.team_id,
        "status": ticket.status,
        "priority": ticket.priority,
    }


def check_solvable(session: Session, ticket: Ticket) -> None:
    missing = custom_fields.missing_on_solve(session, ticket.id)
    if missing:
        raise InvalidInput(f"fill in before solving: {', '.join(missing)}")


def apply_status(ticket: Ticket, status: str, changes: dict[str, list[Any]]) -> None:
    if status == ticket.status:
        return
    changes["status"] = [ticket.status, status]
    ticket.status = status
    if status == Status.SOLVED:
        ticket.solved_at = utcnow()
    elif status != Status.CLOSED:
        ticket.solved_at = None


def record_update(
    session: Session, ticket: Ticket, changes: dict[str, list[Any]], *, actor: Actor | None = None
) -> None:
    """Stamp the ticket and emit `ticket.updated` with what changed (nothing if nothing did)."""
    if not changes:
        return
    ticket.updated_at = utcnow()
    payload = {"changes": {k: [_plain(v[0]), _plain(v[1])] for k, v in changes.items()}}
    if stage_update(session, ticket.id, payload, actor):  # written with the batch's others
        return
    emit(
        session,
        "ticket.updated",
        subject_type="ticket",
        subject_id=ticket.id,
        payload=payload,
        actor=actor,
    )  # its flush writes the ticket too


def _note(changes: dict[str, list[Any]], key: str, change: list[Any] | None) -> None:
    if change is not None:
        changes[key] = change


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def update_ticket(session: Session, *, actor: Actor, ticket_id: int, data: TicketUpdate) -> Ticket:
    require(actor, "tickets.update")
    settle_ticket(session, ticket_id)
    ticket = editable_ticket(session, ticket_id)
    sent = data.model_dump(exclude_unset=True)
    changes: dict[str, list[Any]] = {}
    if "assignee_id" in sent or "team_id" in sent:
        _check_owner(session, sent.get("assignee_id"), sent.get("team_id"))
    for name in ("subject", "priority", "type", "assignee_id", "team_id", "due_at", "store_id"):
        if name not in sent or (name in ("subject", "priority") and sent[name] is None):
            continue
        value = sent[name]
        value = value.strip() if name == "subject" else value
        if getattr(ticket, name) != value:
            changes[name] = [getattr(ticket, name), value]
            setattr(ticket, name, value)
    if data.tags is not None or data.add_tags or data.remove_tags:
        current = tags_of(session, [ticket.id])[ticket.id] if data.tags is None else data.tags
        removed = set(normalize_tags(data.remove_tags))
        wanted = [t for t in normalize_tags([*current, *data.add_tags]) if t not in removed]
        read = current if data.tags is None else None
        _note(changes, "tags", set_tags(session, ticket, wanted, before=read))
    for key, change in custom_fields.set_values(
        session, ticket_id=ticket.id, values=data.fields
    ).items():
        changes[f"fields.{key}"] = change
    if data.follower_ids is not None:
        _note(changes, "followers", _set_followers(session, ticket, data.follower_ids))
    if data.cc_emails is not None:
        _note(changes, "ccs", _set_ccs(session, ticket, [str(e) for e in data.cc_emails]))
    if data.status is not None:
        if data.status == Status.SOLVED:
            check_solvable(session, ticket)
        apply_status(ticket, data.status, changes)
    elif ticket.status == Status.NEW and changes.get("assignee_id", [None, None])[1] is not None:
        apply_status(ticket, Status.OPEN, changes)
    record_update(session, ticket, changes, actor=actor)
    return ticket


def delete_ticket(session: Session, *, actor: Actor, ticket_id: int) -> Ticket:
    """Soft delete: hidden everywhere but the admins' Deleted view, restorable."""
    require(actor, "tickets.delete")
    ticket = get_ticket(session, ticket_id)
    ticket.deleted_at = utcnow()
    session.flush()
    emit(session, "ticket.deleted", subject_type="ticket", subject_id=ticket.id)
    return ticket


def restore_ticket(session: Session, *, actor: Actor, ticket_id: int) -> Ticket:
    require(actor, "tickets.delete")
    ticket = get_ticket(session, ticket_id, include_deleted=True)
    if ticket.deleted_at is None:
        raise Conflict(f"ticket {ticket_id} is not deleted")
    ticket.deleted_at = None
    ticket.updated_at = utcnow()
    session.flush()
    emit(session, "ticket.restored", subject_type="ticket", subject_id=ticket.id)
    return ticket
