"""What a dispatch batch costs the database: the lease and the marks find their rows without
walking every pending delivery, and a batch runs in a fixed number of statements."""

from collections.abc import Iterator

import pytest
from sqlalchemy import event

import tests.outbox_handlers as handlers
from kefu.db import Database
from kefu.dispatch import dispatch_due
from tests.test_outbox import Clock, emit_committed, handled_count


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
