"""Stand-in for the read side's views (kefu.tickets.queries) until that branch is merged:
built-in views by key, newest update first, cursor on (updated_at, id)."""

from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import Session

from kefu.errors import NotFound
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.kit.pagination import CursorPage, decode_cursor, encode_cursor
from kefu.permissions import can, require
from kefu.tickets.models import SavedView, Ticket

UNSOLVED = ("new", "open", "pending", "on_hold")


def can_see_deleted(actor: Actor) -> bool:
    return can(actor, "tickets.delete")


def _conditions(actor: Actor, view: str) -> list[ColumnElement[bool]]:
    live = [Ticket.deleted_at.is_(None), Ticket.merged_into_id.is_(None)]
    week_ago = utcnow() - timedelta(days=7)
    by_key: dict[str, list[ColumnElement[bool]]] = {
        "mine": [Ticket.assignee_id == actor.agent_id, Ticket.status.in_(UNSOLVED)],
        "unassigned": [Ticket.assignee_id.is_(None), Ticket.status.in_(("new", "open"))],
        "open": [Ticket.status.in_(("new", "open"))],
        "pending": [Ticket.status == "pending"],
        "on_hold": [Ticket.status == "on_hold"],
        "solved": [Ticket.status == "solved", Ticket.solved_at >= week_ago],
        "urgent": [Ticket.priority == "urgent", Ticket.status.in_(UNSOLVED)],
    }
    if view == "deleted":
        require(actor, "tickets.delete")
        return [Ticket.deleted_at.is_not(None)]
    if view not in by_key:
        raise NotFound(f"view {view} not found")
    return live + by_key[view]


def list_view(
    session: Session, *, actor: Actor, view: str, cursor: str | None = None, limit: int = 50
) -> CursorPage[Ticket]:
    require(actor, "tickets.read")
    statement: Select[tuple[Ticket]] = select(Ticket).where(*_conditions(actor, view))
    after = decode_cursor(cursor) if cursor else None
    if after:
        from datetime import datetime

        moment = datetime.fromisoformat(after["u"])
        statement = statement.where(
            or_(
                Ticket.updated_at < moment,
                and_(Ticket.updated_at == moment, Ticket.id < after["i"]),
            )
        )
    rows = list(
        session.scalars(
            statement.order_by(Ticket.updated_at.desc(), Ticket.id.desc()).limit(limit + 1)
        )
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = (
        encode_cursor({"u": rows[-1].updated_at.isoformat(), "i": rows[-1].id}) if more else None
    )
    return CursorPage(items=rows, next_cursor=next_cursor)


def view_counts(session: Session, *, actor: Actor) -> dict[str, int]:
    keys = ["mine", "unassigned", "open", "pending", "on_hold", "solved", "urgent"]
    if can_see_deleted(actor):
        keys.append("deleted")
    return {
        key: session.scalar(
            select(func.count()).select_from(Ticket).where(*_conditions(actor, key))
        )
        or 0
        for key in keys
    }


def saved_views(session: Session, *, actor: Actor) -> list[SavedView]:
    return list(
        session.scalars(
            select(SavedView)
            .where(or_(SavedView.owner_id.is_(None), SavedView.owner_id == actor.agent_id))
            .order_by(SavedView.position, SavedView.id)
        )
    )


def get_saved_view(session: Session, *, actor: Actor, key: str) -> Any:
    raise NotFound(f"view {key} not found")


def search_tickets(
    session: Session, *, actor: Actor, query: str, cursor: str | None = None, limit: int = 50
) -> CursorPage[Ticket]:
    require(actor, "tickets.read")
    statement = (
        select(Ticket)
        .where(Ticket.deleted_at.is_(None), Ticket.subject.ilike(f"%{query.strip()}%"))
        .order_by(Ticket.id.desc())
        .limit(limit)
    )
    return CursorPage(items=list(session.scalars(statement)), next_cursor=None)
