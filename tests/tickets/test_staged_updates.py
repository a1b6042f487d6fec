"""Ticket updates written together by a batch handler (kefu.tickets.staged) leave the rows
updates one by one leave, in the same order, with a number of statements that does not
grow with the tickets."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, func, select

from kefu.compliance.models import AuditEntry
from kefu.db import Database
from kefu.events import Event, emit
from kefu.kit.actor import Actor
from kefu.tickets import service as tickets
from kefu.tickets.loading import tickets_by_ids
from kefu.tickets.schemas import TicketUpdate
from kefu.tickets.staged import updates_written_together, write_staged
from tests.tickets.factories import make_ticket

JOB = Actor.job("assignment")
CHANGES = [TicketUpdate(priority="high"), TicketUpdate(priority="low", type="question")]


@contextmanager
def inserts(database: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_c: object, _cur: object, statement: str, *_: object) -> None:
        if statement.lstrip().startswith("INSERT INTO"):
            seen.append(statement.split()[2])

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", count)


def update(database: Database, ticket_ids: list[int], *, together: bool) -> None:
    """Each ticket updated twice (one change after the other), in one unit of work, the
    tickets read first (as a batch handler does: a read would flush what is pending)."""
    with database.unit_of_work(actor=Actor.job("handler")) as session:
        held = tickets_by_ids(session, ticket_ids)  # noqa: F841  (the session keeps them)
        block = updates_written_together(session) if together else _nothing()
        with block:
            for ticket_id in ticket_ids:
                for data in CHANGES:
                    tickets.update_ticket(session, actor=JOB, ticket_id=ticket_id, data=data)


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def written(database: Database, ticket_ids: list[int]) -> list[tuple[Any, ...]]:
    """The events and audit entries of these tickets, each ticket's numbered by its place."""
    place = {str(ticket_id): n for n, ticket_id in enumerate(ticket_ids)}
    with database.sessions() as session:
        events = session.scalars(
            select(Event).where(Event.type == "ticket.updated").order_by(Event.id)
        )
        audits = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == "tickets").order_by(AuditEntry.id)
        )
        return [
            ("event", place[e.subject_id], e.actor, e.payload)
            for e in events
            if e.subject_id in place
        ] + [
            ("audit", place[a.entity_id], a.action, a.actor_ref, sorted(a.changes))
            for a in audits
            if a.entity_id in place and a.action == "tickets.updated"
        ]


def new_tickets(database: Database, count: int) -> list[int]:
    return [make_ticket(database, subject=f"T{n}").id for n in range(count)]


def test_updates_written_together_leave_the_rows_of_updates_one_by_one(
    database: Database,
) -> None:
    one_by_one, together = new_tickets(database, 3), new_tickets(database, 3)
    update(database, one_by_one, together=False)
    update(database, together, together=True)
    # the same events in the same order; the same audit entries, each ticket's in order
    # (one flush writes several tickets' entries in the session's order)
    assert written(database, together)[:6] == written(database, one_by_one)[:6]
    by_ticket = sorted(written(database, together), key=lambda row: (row[0], row[1]))
    assert by_ticket == sorted(written(database, one_by_one), key=lambda row: (row[0], row[1]))
    assert len(by_ticket) == 12  # two events and two entries a ticket


def test_the_statements_do_not_grow_with_the_tickets(database: Database) -> None:
    few, many = new_tickets(database, 2), new_tickets(database, 8)
    with inserts(database) as for_few:
        update(database, few, together=True)
    with inserts(database) as for_many:
        update(database, many, together=True)
    # each ticket's second update flushes the updates before (its first its own audit
    # entry): one insert of entries per ticket and one at the end; the events' deliveries
    # in one insert (the events in one multi-row insert, row by row where SQLite cannot
    # return their ids in order), not one per update
    assert for_few.count("event_deliveries") == for_many.count("event_deliveries") == 1
    assert (for_few.count("audit_entries"), for_many.count("audit_entries")) == (3, 9)


def test_an_event_of_the_callers_own_comes_after_the_updates_before_it(
    database: Database,
) -> None:
    (ticket_id,) = new_tickets(database, 1)
    with database.sessions() as session:
        before = session.scalar(select(func.max(Event.id)))
    with (
        database.unit_of_work(actor=Actor.job("handler")) as session,
        updates_written_together(session),
    ):
        tickets.update_ticket(session, actor=JOB, ticket_id=ticket_id, data=CHANGES[0])
        write_staged(session)
        emit(session, "ticket.noted", subject_type="ticket", subject_id=ticket_id)
        tickets.update_ticket(session, actor=JOB, ticket_id=ticket_id, data=CHANGES[1])
    with database.sessions() as session:
        types = session.scalars(
            select(Event.type)
            .where(Event.subject_type == "ticket", Event.subject_id == str(ticket_id))
            .where(Event.id > before)
            .order_by(Event.id)
        )
        assert list(types) == ["ticket.updated", "ticket.noted", "ticket.updated"]


def test_an_error_in_the_block_writes_nothing(database: Database) -> None:
    (ticket_id,) = new_tickets(database, 1)
    with (
        pytest.raises(RuntimeError),
        database.unit_of_work() as session,
        updates_written_together(session),
    ):
        tickets.update_ticket(session, actor=JOB, ticket_id=ticket_id, data=CHANGES[0])
        raise RuntimeError("the handler failed")
    assert written(database, [ticket_id]) == []
    with database.sessions() as session:
        assert tickets.get_ticket(session, ticket_id).priority == "normal"
