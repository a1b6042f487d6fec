"""Tickets for bulk ingest: the rows a batch of inbound messages needs, read in a few
queries, and its tickets, messages, attachments and CCs written in multi-row statements —
the same rows and audit entries `open_ticket` and `record_message` write one at a time."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, func, select, update
from sqlalchemy.orm import Session

from kefu.compliance.audit import inserted_entries, updated_entry
from kefu.kit.bulk_rows import execute_rows, insert_rows
from kefu.tickets.models import Attachment, Message, Ticket, TicketCc

TICKET_COLUMNS = (
    Ticket.id,
    Ticket.subject,
    Ticket.status,
    Ticket.channel,
    Ticket.store_id,
    Ticket.requester_id,
    Ticket.assignee_id,
    Ticket.team_id,
    Ticket.priority,
    Ticket.updated_at,
    Ticket.solved_at,
    Ticket.merged_into_id,
    Ticket.deleted_at,
)


def messages_by_source(
    session: Session, channel: str, source_ids: Collection[str], *, with_details: bool = False
) -> list[Row[Any]]:
    """(id, ticket_id, source_id, author_customer_id[, details]) of the messages with any of
    these source ids on a channel: `find_by_source` without loading whole messages."""
    if not source_ids:
        return []
    columns = [Message.id, Message.ticket_id, Message.source_id, Message.author_customer_id]
    if with_details:
        columns.append(Message.details)
    return list(
        session.execute(
            select(*columns).where(Message.channel == channel, Message.source_id.in_(source_ids))
        )
    )


def tickets_by_ids(session: Session, ticket_ids: Collection[int]) -> list[Row[Any]]:
    """TICKET_COLUMNS of these tickets, deleted and merged ones included."""
    if not ticket_ids:
        return []
    return list(session.execute(select(*TICKET_COLUMNS).where(Ticket.id.in_(ticket_ids))))


def recent_tickets_of_many(
    session: Session, customer_ids: Collection[int], *, since: datetime
) -> list[Row[Any]]:
    """`recent_tickets_of` for many customers at once (without its limit of 50 each)."""
    if not customer_ids:
        return []
    return list(
        session.execute(
            select(*TICKET_COLUMNS).where(
                Ticket.requester_id.in_(customer_ids),
                Ticket.updated_at >= since,
                Ticket.deleted_at.is_(None),
                Ticket.merged_into_id.is_(None),
            )
        )
    )


def ccs_of_many(session: Session, ticket_ids: Collection[int]) -> dict[int, set[int]]:
    result: dict[int, set[int]] = {tid: set() for tid in ticket_ids}
    if ticket_ids:
        for ticket_id, customer_id in session.execute(
            select(TicketCc.ticket_id, TicketCc.customer_id).where(
                TicketCc.ticket_id.in_(ticket_ids)
            )
        ):
            result[ticket_id].add(customer_id)
    return result


def messages_from_since_many(
    session: Session, customer_ids: Collection[int], *, since: datetime
) -> dict[int, int]:
    """`messages_from_since` for many customers in one query."""
    if not customer_ids:
        return {}
    rows = session.execute(
        select(Message.author_customer_id, func.count(Message.id))
        .where(Message.author_customer_id.in_(customer_ids), Message.created_at >= since)
        .group_by(Message.author_customer_id)
    )
    return {customer_id: int(count) for customer_id, count in rows}


def new_ticket_row(
    *,
    subject: str,
    requester_id: int,
    channel: str,
    store_id: int | None,
    now: datetime,
    priority: str = "normal",
) -> dict[str, Any]:
    """Every column of a ticket `open_ticket` inserts for ingest (status new, no owner)."""
    return {
        "subject": subject.strip()[:500],
        "status": "new",
        "priority": priority,
        "type": None,
        "channel": channel,
        "store_id": store_id,
        "requester_id": requester_id,
        "assignee_id": None,
        "team_id": None,
        "due_at": None,
        "created_at": now,
        "updated_at": now,
        "last_message_at": None,
        "solved_at": None,
        "message_count": 0,
        "merged_into_id": None,
        "deleted_at": None,
    }


def insert_returning(session: Session, model: Any, rows: list[dict[str, Any]]) -> None:
    """Multi-row INSERTs (kefu.kit.bulk_rows); each row gets its new `id`, in order."""
    ids = insert_rows(session, model.__table__, rows, return_ids=True)
    for row, new_id in zip(rows, ids, strict=True):
        row["id"] = new_id


def insert_tickets(session: Session, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Insert tickets (ids set on the rows); their audit entries, as inserted, in order."""
    insert_returning(session, Ticket, rows)
    return inserted_entries(Ticket, rows)


def insert_messages(
    session: Session, rows: list[dict[str, Any]], attachments: Sequence[Sequence[Any]]
) -> list[dict[str, Any]]:
    """Insert messages (ids set on the rows) and each one's attachments (AttachmentIn);
    the messages' audit entries, in order."""
    insert_returning(session, Message, rows)
    files = [
        {
            "message_id": row["id"],
            "filename": item.filename,
            "content_type": item.content_type,
            "size": item.size,
            "sha256": item.sha256,
            "content_id": item.content_id,
            "is_inline": item.is_inline,
        }
        for row, items in zip(rows, attachments, strict=True)
        for item in items
    ]
    insert_rows(session, Attachment.__table__, files)
    return inserted_entries(Message, rows)


def insert_ccs(session: Session, pairs: list[tuple[int, int]]) -> None:
    """(ticket id, customer id) rows of new CCs."""
    insert_rows(session, TicketCc.__table__, [{"ticket_id": t, "customer_id": c} for t, c in pairs])


def bump_tickets(session: Session, changes: list[dict[str, Any]]) -> None:
    """Existing tickets that got messages: {id, added, last_message_at, updated_at, status,
    solved_at}; the count is added to the stored one, so a concurrent writer's is kept. Rows
    are updated in id order, the order other bulk writers lock them in."""
    execute_rows(
        session,
        _BUMP,
        [
            {
                "ticket_id": row["id"],
                "added": row["added"],
                "last_at": row["last_message_at"],
                "updated": row["updated_at"],
                "new_status": row["status"],
                "new_solved_at": row["solved_at"],
            }
            for row in sorted(changes, key=lambda row: row["id"])
        ],
    )


_TICKETS = Ticket.__table__
_BUMP = (
    update(_TICKETS)
    .where(_TICKETS.c.id == bindparam("ticket_id"))
    .values(
        message_count=func.coalesce(_TICKETS.c.message_count, 0) + bindparam("added"),
        last_message_at=bindparam("last_at", type_=_TICKETS.c.last_message_at.type),
        updated_at=bindparam("updated", type_=_TICKETS.c.updated_at.type),
        status=bindparam("new_status", type_=_TICKETS.c.status.type),
        solved_at=bindparam("new_solved_at", type_=_TICKETS.c.solved_at.type),
    )
)


def status_entry(ticket_id: int, changes: dict[str, list[Any]]) -> dict[str, Any]:
    """The audit entry of a ticket's status change made by bulk ingest."""
    return updated_entry(Ticket, ticket_id, changes)
