"""On PostgreSQL a dispatch batch locks its tickets in id order before its first handler
runs, as the bulk ingest updates them: a batch whose handlers change a later ticket before
an earlier one does not hold the later one while it waits for the earlier, which is how it
deadlocked with an import of mail for both."""

import threading

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

import tests.outbox_handlers  # noqa: F401  (registers the handler, as the app would)
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.events import emit
from tests.postgres import wait_for_a_lock_wait
from tests.tickets.factories import receive


def test_a_batch_takes_its_tickets_in_id_order_before_its_handlers(database: Database) -> None:
    if database.backend != "postgresql":
        pytest.skip("row locks are PostgreSQL's (SQLite has one writer at a time)")
    # given two tickets, and a batch whose handler changes the later one first
    first = receive(database, email="ann@example.com", subject="Parcel A").ticket_id
    later = receive(database, email="bob@example.com", subject="Parcel B").ticket_id
    assert first < later
    dispatch_due(database)  # the tickets' own events
    with database.unit_of_work() as session:
        for ticket_id in (later, first):
            emit(session, "test.ticket_touched", subject_type="ticket", subject_id=ticket_id)
    ids = {"first": first, "later": later}
    with database.engine.connect() as importer, importer.begin():
        # when an import holds the first ticket while the batch is dispatched
        importer.execute(text("SELECT id FROM tickets WHERE id = :first FOR NO KEY UPDATE"), ids)
        reports = []
        worker = threading.Thread(target=lambda: reports.append(dispatch_due(database)))
        worker.start()
        wait_for_a_lock_wait(database)
        # then the batch waits for the first ticket without holding the later one, which the
        # import can take next (before, the handler held it: the two deadlocked)
        try:
            importer.execute(
                text("SELECT id FROM tickets WHERE id = :later FOR NO KEY UPDATE NOWAIT"), ids
            )
        except OperationalError as exc:
            pytest.fail(f"the batch held the later ticket while it waited: {exc.orig}")
    # and once the import commits, the batch runs
    worker.join(30)
    assert [report.done for report in reports] == [2]
