"""Bulk ingest, the writes: a plan (kefu.ingest.bulk) stored in one multi-row statement
per table — customers and identities, tickets, messages and attachments, CCs, the stored
tickets' counters and statuses, events with their deliveries, audit entries — the same
rows, events and audit entries, in the same order, that `ingest` writes one by one. The
domains' row writers insert through kefu.kit.bulk_rows (values bound by the columns' own
types, ids returned in order; on SQLite an INSERT ... RETURNING through SQLAlchemy is run a
row at a time)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from kefu.compliance.audit import write_entries
from kefu.customers import bulk as customers
from kefu.customers.bulk import Person
from kefu.events import NewEvent, emit_many
from kefu.ingest.bulk import Duplicate, Planned, SenderLimit, plan
from kefu.ingest.bulk_load import TicketState
from kefu.ingest.schemas import InboundMessage, IngestResult
from kefu.tickets import ingest_rows as tickets
from kefu.tickets.messages import message_added_payload
from kefu.tickets.service import ticket_created_payload


def ingest_many(
    session: Session,
    messages: list[InboundMessage],
    *,
    known_new: list[bool],
    sender_limit: SenderLimit | None = None,
) -> tuple[list[IngestResult], int | None]:
    """Store messages in order as `ingest` would, in the caller's transaction (which rolls
    back to its savepoint if this fails). Returns the results of the messages the plan
    covered and, if it stopped, the index of the first message left to `ingest`."""
    batch = plan(session, messages, known_new=known_new, sender_limit=sender_limit)
    planned = [item for item in batch.items if isinstance(item, Planned)]
    _write(session, planned)
    return [_result(item) for item in batch.items], batch.stopped_at


def _write(session: Session, planned: list[Planned]) -> None:
    customers.create(session, [p for item in planned for p in item.new_people])
    new_tickets: dict[TicketState, dict[str, Any]] = {}
    for item in planned:
        if item.is_new_ticket:
            new_tickets[item.ticket] = _ticket_row(item.ticket)
    ticket_audit = dict(
        zip(new_tickets, tickets.insert_tickets(session, list(new_tickets.values())), strict=True)
    )
    for state, row in new_tickets.items():
        state.id = row["id"]
    rows = []
    for item in planned:
        item.row["ticket_id"] = item.ticket.id
        item.row["author_customer_id"] = item.customer.id
        rows.append(item.row)
    message_audit = tickets.insert_messages(session, rows, [p.message.attachments for p in planned])
    tickets.insert_ccs(
        session, [(item.ticket.id or 0, cc.id or 0) for item in planned for cc in item.new_ccs]
    )
    tickets.bump_tickets(session, _stored_tickets(planned))
    events: list[NewEvent] = []
    entries: list[dict[str, Any]] = []
    for item, message_entry in zip(planned, message_audit, strict=True):
        for person in item.new_people:
            events.append(NewEvent("customer.created", "customer", person.id, {}))
            entries += person.audit
        if item.is_new_ticket:
            row = new_tickets[item.ticket]
            payload = ticket_created_payload(_Stored(row))
            events.append(NewEvent("ticket.created", "ticket", row["id"], payload))
            entries.append(ticket_audit[item.ticket])
        events.append(
            NewEvent(
                "message.added",
                "ticket",
                item.ticket.id,
                message_added_payload(
                    _Stored(item.row), mentions=None, assignee_id=item.ticket.assignee_id
                ),
            )
        )
        entries.append(message_entry)
        if item.status_change is not None:
            changes = {"changes": {"status": item.status_change["status"]}}
            events.append(NewEvent("ticket.updated", "ticket", item.ticket.id, changes))
            entries.append(tickets.status_entry(item.ticket.id or 0, item.status_change))
    emit_many(session, events)
    write_entries(session, entries)


class _Stored:
    """A message row read by attribute (what the event payload builders take)."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.__dict__.update(row)


def _ticket_row(state: TicketState) -> dict[str, Any]:
    requester: Person = state.requester
    row = tickets.new_ticket_row(
        subject=state.subject,
        requester_id=requester.id or 0,
        channel=state.channel,
        store_id=state.store_id,
        now=state.created_at or state.updated_at,
        priority=state.priority,
    )
    row.update(
        message_count=state.added,
        last_message_at=state.last_message_at,
        updated_at=state.updated_at,
    )
    return row


def _stored_tickets(planned: list[Planned]) -> list[dict[str, Any]]:
    touched: dict[TicketState, None] = {}
    for item in planned:
        if not item.is_new_ticket and item.ticket.seq < 0:
            touched.setdefault(item.ticket)
    return [
        {
            "id": state.id,
            "added": state.added,
            "last_message_at": state.last_message_at,
            "updated_at": state.updated_at,
            "status": state.status,
            "solved_at": state.solved_at,
        }
        for state in touched
    ]


def _result(item: Planned | Duplicate) -> IngestResult:
    if isinstance(item, Planned):
        return IngestResult(
            ticket_id=item.ticket.id or 0,
            message_id=item.row["id"],
            customer_id=item.customer.id or 0,
            is_new_ticket=item.is_new_ticket,
            is_duplicate=False,
        )
    if item.of is not None:
        return IngestResult(
            ticket_id=item.of.ticket.id or 0,
            message_id=item.of.row["id"],
            customer_id=item.of.customer.id or 0,
            is_new_ticket=False,
            is_duplicate=True,
        )
    return IngestResult(
        ticket_id=item.ticket_id or 0,
        message_id=item.message_id or 0,
        customer_id=item.customer_id or 0,
        is_new_ticket=False,
        is_duplicate=True,
    )
