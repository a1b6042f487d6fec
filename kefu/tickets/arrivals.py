"""Contacts as workforce planning sees them: when each ticket arrived and how long agents
worked on it, for a channel (and team, store) over a time window."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from kefu.kit.clock import as_utc
from kefu.tickets.models import Message, Ticket

# The longest a single agent reply is taken to have been worked on: the time since the
# message before it, but a longer gap is time the contact waited, not time worked.
REPLY_WORK_CAP_SECONDS = 600


@dataclass(frozen=True, slots=True)
class Arrival:
    """One contact: `handle_seconds` is None when no agent has replied yet."""

    ticket_id: int
    created_at: datetime
    handle_seconds: float | None


def _where(
    *,
    start: datetime,
    end: datetime,
    channels: Sequence[str],
    team_id: int | None,
    store_id: int | None,
) -> list[ColumnElement[bool]]:
    clauses = [
        Ticket.created_at >= start,
        Ticket.created_at < end,
        Ticket.channel.in_(list(channels)),
        Ticket.deleted_at.is_(None),
        Ticket.merged_into_id.is_(None),  # a merged ticket is a duplicate, not a contact
    ]
    if team_id is not None:
        clauses.append(Ticket.team_id == team_id)
    if store_id is not None:
        clauses.append(Ticket.store_id == store_id)
    return clauses


def ticket_arrivals(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    channels: Sequence[str],
    team_id: int | None = None,
    store_id: int | None = None,
) -> list[Arrival]:
    """Tickets opened in [start, end) on these channels (not deleted, not merged away),
    oldest first, each arriving at its first message (a ticket opened later for an older
    message, as a mail import does, arrives at that message; one older than `start` is
    left out rather than counted at its import), with their measured handle time: for each
    agent reply, the time since the message before it on the ticket, capped at
    REPLY_WORK_CAP_SECONDS, summed."""
    where = _where(start=start, end=end, channels=channels, team_id=team_id, store_id=store_id)
    tickets = session.execute(
        select(Ticket.id, Ticket.created_at).where(*where).order_by(Ticket.created_at, Ticket.id)
    ).all()
    rows = session.execute(
        select(Message.ticket_id, Message.created_at, Message.author_type, Message.kind)
        .join(Ticket, Ticket.id == Message.ticket_id)
        .where(*where)
        .order_by(Message.ticket_id, Message.created_at, Message.id)
    ).all()
    handled: dict[int, float] = {}
    previous: dict[int, datetime] = {}
    created = {ticket_id: as_utc(at) for ticket_id, at in tickets}
    for ticket_id, at, author_type, kind in rows:
        at = as_utc(at)
        if ticket_id not in previous:  # a ticket opened for an older message arrived then
            created[ticket_id] = min(created[ticket_id], at)
        before = previous.get(ticket_id, created[ticket_id])
        if author_type == "agent" and kind == "reply":
            worked = min(max((at - before).total_seconds(), 0.0), REPLY_WORK_CAP_SECONDS)
            handled[ticket_id] = handled.get(ticket_id, 0.0) + worked
        previous[ticket_id] = at
    return sorted(
        (
            Arrival(ticket_id=ticket_id, created_at=at, handle_seconds=handled.get(ticket_id))
            for ticket_id, at in created.items()
            if at >= start
        ),
        key=lambda arrival: (arrival.created_at, arrival.ticket_id),
    )
