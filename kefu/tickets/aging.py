"""Tickets by age, for time-based rules: the ids of live tickets whose times fall in the
given bounds, a page at a time, so the hourly automations narrow millions of tickets in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from kefu.tickets.models import Ticket

AGING_COLUMNS = {
    "created": Ticket.created_at,
    "updated": Ticket.updated_at,
    "solved": Ticket.solved_at,
}


@dataclass(frozen=True, slots=True)
class TimeBound:
    """`column` ("created", "updated" or "solved") before (older than) or after a time."""

    column: str
    before: datetime | None = None
    after: datetime | None = None


def aging_ticket_ids(
    session: Session,
    *,
    bounds: Sequence[TimeBound] = (),
    statuses: Sequence[str] = (),
    among: Select[Any] | None = None,
    after_id: int = 0,
    limit: int = 500,
) -> list[int]:
    """Live (not deleted, merged or closed) tickets meeting every bound, by id after
    `after_id`; `among` is a select of ticket ids to stay within (another domain's list)."""
    statement = select(Ticket.id).where(
        Ticket.deleted_at.is_(None),
        Ticket.merged_into_id.is_(None),
        Ticket.status != "closed",
        Ticket.id > after_id,
    )
    for bound in bounds:
        column = AGING_COLUMNS[bound.column]
        if bound.before is not None:
            statement = statement.where(column < bound.before)
        if bound.after is not None:
            statement = statement.where(column > bound.after)
    if statuses:
        statement = statement.where(Ticket.status.in_(list(statuses)))
    if among is not None:
        statement = statement.where(Ticket.id.in_(among))
    return list(session.scalars(statement.order_by(Ticket.id).limit(limit)))
