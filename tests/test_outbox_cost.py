"""What the outbox and its handlers cost: the lease and the marks find their rows without
walking every pending delivery, an emit writes its event without a unit-of-work flush of it,
and the automation clocks of a batch are read and written as plain rows."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import event, select

import tests.outbox_handlers as handlers
from kefu.automation.rules.jobs import track_clocks
from kefu.automation.rules.models import TicketClock
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.events import Event, EventDelivery, emit
from kefu.kit.clock import utcnow
from kefu.tickets.models import Ticket
from tests.test_outbox import Clock, emit_committed, handled_count
from tests.tickets.factories import receive


@pytest.fixture(autouse=True)
def _fresh_handlers() -> Iterator[None]:
    handlers.FAILURES_LEFT.clear()
    yield
    handlers.FAILURES_LEFT.clear()


def recorded(database: Database) -> list[tuple[str, object]]:
    statements: list[tuple[str, object]] = []

    @event.listens_for(database.engine, "before_cursor_execute")
    def _record(_c: object, _cur: object, statement: str, parameters: object, *_: object) -> None:
        statements.append((statement, parameters))

    return statements


def test_lease_and_marks_read_no_more_than_their_rows_on_sqlite(database: Database) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query plans; PostgreSQL's depend on its statistics")
    # given more due deliveries than a batch takes, one of them failing once
    ids = [emit_committed(database, "test.happened") for _ in range(6)]
    bad = emit_committed(database, "test.flaky")
    handlers.FAILURES_LEFT[bad] = 1
    statements = recorded(database)
    # when dispatched in batches of three
    report = dispatch_due(database, clock=Clock(), batch=3)
    assert (report.done, report.retried) == (6, 1)
    assert [handled_count(database, event_id) for event_id in ids] == [1] * 6
    # then every statement on the deliveries reads them in index order, never sorting all
    # the due ones, and those that name their rows by id look them up by primary key instead
    # of walking ix_event_deliveries_status through every pending delivery
    on_deliveries = [(s, p) for s, p in statements if "event_deliveries" in s]
    kinds = {s.split()[0] for s, _ in on_deliveries}
    assert kinds == {"WITH", "UPDATE"}  # the leases; the marks done and the failure
    with database.engine.connect() as connection:
        for statement, parameters in on_deliveries:
            explained = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plan = [row[3] for row in explained]
            assert not any("TEMP B-TREE" in step for step in plan), (statement, plan)
            top = next(step for step in plan if "event_deliveries" in step)
            assert "PRIMARY KEY" in top, (statement, plan)


def test_an_emit_into_a_clean_session_runs_no_unit_of_work_flush(database: Database) -> None:
    # given a session with nothing pending, whose flushes are counted
    flushes = [0]
    with database.unit_of_work() as session:

        @event.listens_for(session, "after_flush")
        def _count(*_: object) -> None:
            flushes[0] += 1

        # when an event is emitted
        emitted = emit(
            session, "test.happened", subject_type="order", subject_id=7, payload={"a": 1}
        )
        # then the event row was written without flushing the unit of work
        assert flushes == [0]
        assert emitted.id is not None
    with database.sessions() as session:
        stored = session.get_one(Event, emitted.id)
        assert (stored.type, stored.subject_type, stored.subject_id, stored.payload) == (
            "test.happened",
            "order",
            "7",
            {"a": 1},
        )
        assert stored.created_at == emitted.created_at
        assert stored.actor == emitted.actor
        handlers_of = session.scalars(
            select(EventDelivery.handler).where(EventDelivery.event_id == emitted.id)
        )
        assert list(handlers_of) == ["tests.record_delivery"]


def test_an_emit_flushes_what_the_caller_changed_before_it(database: Database) -> None:
    ticket_id = receive(database).ticket_id
    with database.unit_of_work() as session:
        ticket = session.get_one(Ticket, ticket_id)
        ticket.subject = "Changed before the event"
        emit(session, "test.happened", subject_type="ticket", subject_id=ticket_id)
        # a Core statement after the emit sees the change (no autoflush would run for it)
        subject = session.execute(
            select(Ticket.__table__.c.subject).where(Ticket.__table__.c.id == ticket_id)
        ).scalar_one()
        assert subject == "Changed before the event"


def test_track_clocks_follows_a_batch_as_plain_rows_and_redelivery_writes_nothing(
    database: Database,
) -> None:
    # given three new tickets, one of them already holding clocks that an object copy holds
    ids = [receive(database, email=f"c{i}@example.com").ticket_id for i in range(3)]
    earlier = utcnow() - timedelta(days=1)
    with database.unit_of_work() as session:
        session.add(TicketClock(ticket_id=ids[0], pending_since=earlier))
    with database.sessions() as session:
        events = list(
            session.scalars(
                select(Event)
                .where(Event.subject_type == "ticket", Event.subject_id.in_([str(i) for i in ids]))
                .order_by(Event.id)
            )
        )
    built = [0]

    def _built(*_: object) -> None:
        built[0] += 1

    event.listen(TicketClock, "load", _built)
    event.listen(TicketClock, "init", _built)
    try:
        statements = recorded(database)
        with database.unit_of_work() as session:
            held = session.get_one(TicketClock, ids[0])
            built[0] = 0
            # when the handler follows the batch
            track_clocks(session, events)
            # then no clock object was loaded or built, and the held copy reads the new row
            assert built == [0]
            assert held.pending_since is None  # a customer message came after it was pending
        writes = [s for s, _ in statements if s.split()[0] in ("INSERT", "UPDATE")]
        assert [s.split()[0] for s in writes] == ["INSERT", "UPDATE"]
        # when the same events are delivered again, nothing is written
        del statements[:]
        with database.unit_of_work() as session:
            track_clocks(session, events)
        assert [s for s, _ in statements if s.split()[0] in ("INSERT", "UPDATE")] == []
    finally:
        event.remove(TicketClock, "load", _built)
        event.remove(TicketClock, "init", _built)
    with database.sessions() as session:
        rows = session.scalars(select(TicketClock).order_by(TicketClock.ticket_id)).all()
        assert [row.ticket_id for row in rows] == ids
        assert all(row.pending_since is None for row in rows)
        assert all(row.last_customer_message_at is not None for row in rows)
