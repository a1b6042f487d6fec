"""Reading before writing: a reading session waits for no writer, the dispatcher runs a batch
handler's `prepare` in one before the batch's write transaction (SQLite), and "changed since"
names exactly the subjects written after the reading."""

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

import tests.outbox_handlers as handlers
from kefu.compliance.models import AuditEntry
from kefu.compliance.service import record
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.events import emit
from kefu.prepared_reads import changed_since, snapshot
from tests.test_outbox import Clock, emit_committed, handled_count

WAIT_SECONDS = 30  # only a broken build waits this long: the write would be blocked for good


@pytest.fixture(autouse=True)
def _fresh_handlers() -> Iterator[None]:
    handlers.PREPARED_CALLS.clear()
    handlers.PREPARE_HOOK.clear()
    yield
    handlers.PREPARE_HOOK.clear()


def _write_in_a_thread(database: Database) -> bool:
    """Whether another thread could write and commit (an audit row) while the caller is
    where it is."""
    done = threading.Event()

    def write() -> None:
        with database.unit_of_work() as session:
            record(session, action="test.beside", entity_type="events", entity_id=0)
        done.set()

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    return done.wait(WAIT_SECONDS)


def test_a_reading_session_reads_while_another_transaction_writes(database: Database) -> None:
    # given a writer in the middle of its transaction
    with database.unit_of_work() as writer:
        record(writer, action="test.first", entity_type="events", entity_id=1)
        writer.flush()
        # when another thread reads in a reading session
        counted: list[int] = []

        def read() -> None:
            with database.reading() as session:
                counted.append(session.scalar(select(func.count()).select_from(AuditEntry)) or 0)

        thread = threading.Thread(target=read, daemon=True)
        thread.start()
        thread.join(WAIT_SECONDS)
        # then it read at once, without the writer's uncommitted row
        assert not thread.is_alive()
        assert counted == [0]


def test_changed_since_names_only_subjects_written_after_the_reading(database: Database) -> None:
    with database.unit_of_work() as session:
        emit(session, "ticket.updated", subject_type="ticket", subject_id=1)
        emit(session, "customer.updated", subject_type="customer", subject_id=2)
    with database.reading() as session:
        since = snapshot(session)
    with database.unit_of_work() as session:
        emit(session, "ticket.updated", subject_type="ticket", subject_id=3)
        emit(session, "customer.updated", subject_type="customer", subject_id=1)
        # the caller's own transaction counts too
        assert changed_since(session, since, "ticket", [1, 2, 3, 4]) == {3}
        assert changed_since(session, since, "customer", [1, 2]) == {1}
        assert changed_since(session, since, "ticket", []) == set()
        # a split names the ticket it took a message from in its payload
        emit(session, "ticket.split", subject_type="ticket", subject_id=5, payload={"from_id": 1})
        assert changed_since(session, since, "ticket", [1, 2]) == set()
        assert changed_since(session, since, "ticket", [1, 2], payload_keys=("from_id",)) == {1}


def test_a_batch_handler_gets_what_it_prepared_before_its_transaction(
    database: Database, backend: str
) -> None:
    # given three events for the batch handler that prepares
    ids = [emit_committed(database, "test.prepared") for _ in range(3)]
    beside: list[bool] = []
    handlers.PREPARE_HOOK.append(lambda: beside.append(_write_in_a_thread(database)))
    # when they are dispatched
    report = dispatch_due(database, clock=Clock())
    # then the handler ran once on all three and each was handled once
    assert report.done == len(ids) and report.failed == 0
    assert [calls for calls, _prepared in handlers.PREPARED_CALLS] == [ids]
    assert all(handled_count(database, event_id) == 1 for event_id in ids)
    if backend == "sqlite":
        # with what it prepared, read while another writer could write and commit
        assert handlers.PREPARED_CALLS[0][1] == ids
        assert beside == [True]
    else:  # nothing is prepared where writers do not queue on one lock
        assert handlers.PREPARED_CALLS[0][1] is None
        assert beside == []


def test_a_failing_prepare_leaves_the_handler_to_read_for_itself(database: Database) -> None:
    ids = [emit_committed(database, "test.prepared") for _ in range(2)]
    handlers.PREPARE_HOOK.append(RuntimeError("the reading broke"))
    report = dispatch_due(database, clock=Clock())
    assert report.done == len(ids) and report.failed == 0 and report.retried == 0
    assert [(ids, None)] == handlers.PREPARED_CALLS
    assert all(handled_count(database, event_id) == 1 for event_id in ids)
