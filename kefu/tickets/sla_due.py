"""The ticket's SLA due time: the sla domain keeps it current, the inbox sorts and filters
on it ("breaches soonest", "SLA breached", "due within N minutes") and badges its rows."""

from datetime import datetime, timedelta

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from kefu.kit.clock import as_utc, utcnow
from kefu.tickets.models import Ticket

SOON_MINUTES = 30  # an inbox row is marked "SLA soon" this close to its due time


def set_sla_due_at(session: Session, *, ticket_id: int, due_at: datetime | None) -> None:
    """Store the soonest due time of the ticket's running clocks (None: nothing due). Not a
    change people make: no ticket.updated event, no audit entry, updated_at unmoved."""
    session.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id, Ticket.sla_due_at.is_distinct_from(due_at))
        .values(sla_due_at=due_at)
        .execution_options(synchronize_session="fetch")
    )


def set_sla_due_many(session: Session, due_at_by_ticket: dict[int, datetime | None]) -> None:
    """`set_sla_due_at` for many tickets in one statement; tickets already in the session
    see their new due time."""
    if not due_at_by_ticket:
        return
    table = Ticket.__table__
    session.execute(
        update(table)
        .where(
            table.c.id == bindparam("b_ticket_id"),
            table.c.sla_due_at.is_distinct_from(bindparam("b_due_at")),
        )
        .values(sla_due_at=bindparam("b_due_at")),
        [
            {"b_ticket_id": key, "b_due_at": value}
            for key, value in sorted(due_at_by_ticket.items())
        ],
    )
    for ticket_id, due_at in due_at_by_ticket.items():
        ticket = session.identity_map.get(identity_key(Ticket, ticket_id))
        if ticket is not None:
            set_committed_value(ticket, "sla_due_at", due_at)


def sla_badge(due_at: datetime | None, now: datetime | None = None) -> str | None:
    """ "breached", "soon" (within SOON_MINUTES) or None, for an inbox row."""
    if due_at is None:
        return None
    now = now or utcnow()
    due_at = as_utc(due_at)
    if due_at <= now:
        return "breached"
    return "soon" if due_at - now <= timedelta(minutes=SOON_MINUTES) else None
