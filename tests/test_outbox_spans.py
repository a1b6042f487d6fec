"""Spans: a bulk emit writes one delivery per batch handler for all the events it wants, the
handler sees each of them once, a failing event is split out and retried alone, and a span
another runner took over is never split or run twice."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select, text

import tests.outbox_handlers as handlers
from bench.email_corpus import generate
from kefu.channels.email.inbound import RawEmail, receive_emails
from kefu.db import Database
from kefu.dispatch import LEASE_SECONDS, DispatchReport, backoff_seconds, dispatch_due, run_leased
from kefu.dispatch_lease import lease_due
from kefu.dispatch_ops import failed_deliveries, retry_failed
from kefu.events import Event, EventDelivery, NewEvent, emit_many, registry
from kefu.kit.filestore import FileStore
from kefu.migrate import alembic_config
from tests.channels.email.factories import make_mailbox
from tests.test_outbox import Clock, handled_count
from tests.test_outbox_cost import recorded


@pytest.fixture(autouse=True)
def _fresh_handlers() -> Iterator[None]:
    handlers.FAILURES_LEFT.clear()
    handlers.BATCH_CALLS.clear()
    handlers.DEADLOCKS_LEFT.clear()
    yield
    handlers.FAILURES_LEFT.clear()
    handlers.DEADLOCKS_LEFT.clear()


def emit_bulk(database: Database, *types: str) -> list[int]:
    with database.unit_of_work() as session:
        return emit_many(session, [NewEvent(kind, "order", n, {}) for n, kind in enumerate(types)])


def deliveries(database: Database) -> list[tuple[int, str, list[int] | None, str, int]]:
    with database.sessions() as session:
        rows = session.scalars(select(EventDelivery).order_by(EventDelivery.id))
        return [(d.event_id, d.handler, d.more_event_ids, d.status, d.attempts) for d in rows]


def test_a_bulk_emit_writes_one_delivery_per_batch_handler(database: Database) -> None:
    # when five events of a batch handler and two of a one-at-a-time handler are emitted
    ids = emit_bulk(database, *["test.batched"] * 3, "test.happened", *["test.batched"] * 2)
    ids += emit_bulk(database, "test.happened")
    # then the batch handler has one delivery standing for the five, the other one each
    assert deliveries(database) == [
        (ids[0], "tests.batched", [ids[1], ids[2], ids[4], ids[5]], "pending", 0),
        (ids[3], "tests.record_delivery", None, "pending", 0),
        (ids[6], "tests.record_delivery", None, "pending", 0),
    ]


def test_a_span_runs_its_handler_once_on_each_of_its_events(database: Database) -> None:
    # given two bulk emits, the one-event one a plain delivery
    first = emit_bulk(database, *["test.batched"] * 4)
    second = emit_bulk(database, "test.batched")
    # when dispatched, twice
    report = dispatch_due(database, clock=Clock())
    assert dispatch_due(database, clock=Clock()).ran == 0
    # then the handler saw every event once, in one call, and both deliveries are done
    assert list(handlers.BATCH_CALLS) == [first + second]
    assert [handled_count(database, e) for e in first + second] == [1] * 5
    assert (report.done, report.errors) == (2, [])
    assert [row[3] for row in deliveries(database)] == ["done", "done"]


def test_a_failing_event_is_split_out_of_its_span_and_retried_alone(database: Database) -> None:
    # given a span of four events, the third failing twice
    clock = Clock()
    ids = emit_bulk(database, *["test.batched"] * 4)
    bad = ids[2]
    handlers.FAILURES_LEFT[bad] = 2
    # when dispatched
    report = dispatch_due(database, clock=clock)
    # then each event ran alone after the span failed, and one delivery per event is left:
    # the good ones done, the bad one waiting for its retry
    assert list(handlers.BATCH_CALLS) == [ids, *([e] for e in ids)]
    assert (report.done, report.retried, report.failed) == (3, 1, 0)
    assert sorted(deliveries(database)) == [
        (e, "tests.batched", None, "pending" if e == bad else "done", 1) for e in ids
    ]
    assert [handled_count(database, e) for e in ids] == [1, 1, 0, 1]
    # when its backoff has passed, it runs alone and once
    clock.advance(backoff_seconds(1))
    assert dispatch_due(database, clock=clock).done == 1
    assert list(handlers.BATCH_CALLS)[-1] == [bad]
    assert [handled_count(database, e) for e in ids] == [1, 1, 1, 1]


def test_an_event_failing_every_time_is_parked_alone_and_listed_as_one(database: Database) -> None:
    clock = Clock()
    ids = emit_bulk(database, *["test.batched"] * 3)
    handlers.FAILURES_LEFT[ids[0]] = 100  # the span's own first event
    for attempt in range(1, 5):
        dispatch_due(database, clock=clock)
        clock.advance(backoff_seconds(attempt))
    [failed] = failed_deliveries(database)
    assert (failed.event_id, failed.handler, failed.attempts) == (ids[0], "tests.batched", 4)
    assert [handled_count(database, e) for e in ids] == [0, 1, 1]
    handlers.FAILURES_LEFT[ids[0]] = 0
    assert retry_failed(database, delivery_ids=[failed.id], clock=clock) == 1
    assert dispatch_due(database, clock=clock).done == 1
    assert [handled_count(database, e) for e in ids] == [1, 1, 1]


def test_a_span_another_runner_took_over_is_neither_split_nor_run_twice(
    database: Database,
) -> None:
    # given a slow runner holding a span, and after its lease expired a second runner
    clock = Clock()
    ids = emit_bulk(database, *["test.batched"] * 3)
    slow = lease_due(database, now=clock.now, limit=10)
    clock.advance(LEASE_SECONDS + 1)
    fast = lease_due(database, now=clock.now, limit=10)
    assert [item.event_ids for item in slow] == [item.event_ids for item in fast] == [tuple(ids)]
    # when the slow runner's run fails on one event (it would split the span)
    handlers.FAILURES_LEFT[ids[1]] = 1
    report = DispatchReport()
    run_leased(database, slow, now=clock.now, clock=clock, handlers=registry, report=report)
    # then it gave the span up untouched, and the second runner runs it once
    assert report.ran == 0
    assert deliveries(database) == [(ids[0], "tests.batched", ids[1:], "pending", 0)]
    handlers.FAILURES_LEFT.clear()
    run_leased(database, fast, now=clock.now, clock=clock, handlers=registry, report=report)
    assert report.done == 1
    assert [handled_count(database, e) for e in ids] == [1, 1, 1]
    assert dispatch_due(database, clock=Clock()).ran == 0


def test_a_span_finished_by_another_runner_is_rolled_back_by_the_slow_one(
    database: Database,
) -> None:
    clock = Clock()
    ids = emit_bulk(database, *["test.batched"] * 3)
    slow = lease_due(database, now=clock.now, limit=10)
    clock.advance(LEASE_SECONDS + 1)
    assert dispatch_due(database, clock=clock).done == 1  # a sweep after the lease expired
    for fails in (0, 1):  # the slow runner's run succeeding, or failing and splitting
        handlers.FAILURES_LEFT[ids[2]] = fails
        report = DispatchReport()
        run_leased(database, slow, now=clock.now, clock=clock, handlers=registry, report=report)
        assert report.ran == 0
    assert [handled_count(database, e) for e in ids] == [1, 1, 1]
    assert deliveries(database) == [(ids[0], "tests.batched", ids[1:], "done", 1)]


def test_a_span_leased_by_a_dead_worker_runs_after_the_lease(database: Database) -> None:
    clock = Clock()
    ids = emit_bulk(database, *["test.batched"] * 3)
    assert lease_due(database, now=clock.now, limit=10)  # and the worker died
    assert dispatch_due(database, clock=clock).ran == 0
    clock.advance(LEASE_SECONDS + 1)
    assert dispatch_due(database, clock=clock).done == 1
    assert [handled_count(database, e) for e in ids] == [1, 1, 1]
    assert list(handlers.BATCH_CALLS) == [ids]


def test_a_deadlock_runs_a_span_again_whole_without_splitting_it(database: Database) -> None:
    ids = emit_bulk(database, *["test.batched"] * 3)
    handlers.DEADLOCKS_LEFT[ids[1]] = 1
    report = dispatch_due(database, clock=Clock())
    assert (report.done, report.retried) == (1, 0)
    assert list(handlers.BATCH_CALLS) == [ids, ids]  # the first run rolled back
    assert [handled_count(database, e) for e in ids] == [1, 1, 1]
    assert deliveries(database) == [(ids[0], "tests.batched", ids[1:], "done", 1)]


def test_a_lease_counts_a_span_by_its_events(database: Database) -> None:
    # given two bulk emits of three events each, and a plain one
    first = emit_bulk(database, *["test.batched"] * 3)
    second = emit_bulk(database, *["test.batched"] * 3)
    clock = Clock()
    # when a batch of at most two events is leased
    leased = lease_due(database, now=clock.now, limit=2)
    # then it took the first span only and left the second to the next lease
    assert [item.event_ids for item in leased] == [tuple(first)]
    assert [item.event_ids for item in lease_due(database, now=clock.now, limit=2)] == [
        tuple(second)
    ]


def test_a_bulk_mail_ingest_writes_deliveries_by_handler_not_by_mail(
    database: Database, tmp_path: Path
) -> None:
    # given a mailbox and 60 customer mails, fetched as one batch
    mailbox_id = make_mailbox(database).id
    emails = [RawEmail(raw, f"mail {n}") for n, raw in enumerate(generate(60, seed=3))]
    receipts = receive_emails(database, FileStore(tmp_path), mailbox_id=mailbox_id, emails=emails)
    assert sum(1 for r in receipts if r.message_id) == 60
    # then every handler has at most one delivery, yet each event it wants is in one of them
    with database.sessions() as session:
        rows = session.scalars(select(EventDelivery)).all()
        events = session.scalars(select(Event)).all()
        assert session.scalar(select(func.count()).select_from(Event)) >= 60  # one a mail, or more
    assert len(rows) <= len({spec.name for spec in _specs_of(events)})
    covered = sorted((e, d.handler) for d in rows for e in [d.event_id, *(d.more_event_ids or [])])
    wanted = sorted(
        (event.id, spec.name)
        for event in events
        for spec in registry.for_type(event.type)
        if spec.wants(event.type, event.payload)
    )
    assert covered == wanted
    # and dispatching runs them all
    dispatch_due(database, batch=500)
    with database.sessions() as session:
        assert set(session.scalars(select(EventDelivery.status))) == {"done"}


def _specs_of(events: list[Event]) -> list:  # type: ignore[type-arg]
    return [spec for event in events for spec in registry.for_type(event.type)]


def test_going_back_before_spans_writes_a_delivery_per_event(database: Database) -> None:
    # given a span
    ids = emit_bulk(database, *["test.batched"] * 3)
    config = alembic_config()
    # when the schema goes back to before spans (and forward again)
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0024")
        rows = connection.execute(
            text("SELECT event_id, handler, status FROM event_deliveries ORDER BY event_id")
        ).all()
        command.upgrade(config, "head")
    # then each event has its own delivery, still to run
    assert [tuple(row) for row in rows] == [(e, "tests.batched", "pending") for e in ids]
    assert dispatch_due(database, clock=Clock()).done == 3
    assert [handled_count(database, e) for e in ids] == [1, 1, 1]


def test_giving_back_and_splitting_spans_find_their_rows_by_key_on_sqlite(
    database: Database,
) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's query plans; PostgreSQL's depend on its statistics")
    # given two spans, one with a failing event, and many plain deliveries due
    for _ in range(20):
        emit_bulk(database, "test.happened")
    first = emit_bulk(database, *["test.batched"] * 3)
    second = emit_bulk(database, *["test.batched"] * 3)
    handlers.FAILURES_LEFT[first[1]] = 2  # in the span, then alone
    statements = recorded(database)
    # when dispatched in batches of two events (the second span given back, the first split)
    report = dispatch_due(database, clock=Clock(), batch=2)
    assert (report.done, report.retried) == (20 + 2 + 1, 1)
    assert [handled_count(database, e) for e in first + second] == [1, 0, 1, 1, 1, 1]
    # then the statements that name deliveries by id look them up by primary key
    updates = [(s, p) for s, p in statements if "event_deliveries" in s and s[:6] == "UPDATE"]
    assert len(updates) > 10
    with database.engine.connect() as connection:
        for statement, parameters in updates:
            explained = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            plan = [row[3] for row in explained]
            top = next(step for step in plan if "event_deliveries" in step)
            assert "PRIMARY KEY" in top, (statement, plan)
