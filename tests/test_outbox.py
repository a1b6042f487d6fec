"""The transactional outbox: events commit with the change, handlers run once, with retries."""

import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

import tests.outbox_handlers as handlers
from kefu.compliance.models import AuditEntry
from kefu.config import Settings
from kefu.db import Database
from kefu.dispatch import LEASE_SECONDS, backoff_seconds, dispatch_due
from kefu.dispatch_lease import _lease
from kefu.events import Event, EventDelivery, NewEvent, emit, emit_many
from kefu.jobs import JOBS, make_queue, start_consumer
from kefu.kit.clock import utcnow
from kefu.runtime import Runtime

ROOT = Path(__file__).resolve().parent.parent


class Clock:
    """Injected time; starts a second ahead so events emitted just before are due."""

    def __init__(self) -> None:
        self.now = utcnow() + timedelta(seconds=1)

    def __call__(self):  # type: ignore[no-untyped-def]
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def handled_count(database: Database, event_id: int) -> int:
    with database.sessions() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "test.handled", AuditEntry.entity_id == str(event_id))
            )
            or 0
        )


def delivery(database: Database, event_id: int, handler: str) -> EventDelivery:
    with database.sessions() as session:
        return session.scalars(
            select(EventDelivery).where(
                EventDelivery.event_id == event_id, EventDelivery.handler == handler
            )
        ).one()


def emit_committed(database: Database, event_type: str) -> int:
    with database.unit_of_work() as session:
        return emit(session, event_type, subject_type="order", subject_id="1001").id


def test_rolled_back_change_emits_no_event(database: Database) -> None:
    # given a unit of work that emits and then fails
    with pytest.raises(RuntimeError), database.unit_of_work() as session:
        emit(session, "test.happened", subject_type="order", subject_id="1001")
        raise RuntimeError("validation failed after emit")
    # then neither the event nor its delivery exists, and nothing runs
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Event)) == 0
        assert session.scalar(select(func.count()).select_from(EventDelivery)) == 0
    assert dispatch_due(database).ran == 0


def test_committed_event_runs_its_handler_once(database: Database) -> None:
    # given
    event_id = emit_committed(database, "test.happened")
    # when dispatched twice (a second worker, a second sweep)
    first = dispatch_due(database)
    second = dispatch_due(database)
    # then
    assert (first.done, second.ran) == (1, 0)
    assert handled_count(database, event_id) == 1
    assert delivery(database, event_id, "tests.record_delivery").status == "done"


def test_a_handler_filter_leaves_unwanted_events_without_a_delivery(database: Database) -> None:
    # given events of a filtered handler's type, wanted and not, one by one and in bulk
    with database.unit_of_work() as session:
        wanted = emit(
            session, "test.filtered", subject_type="order", subject_id="1", payload={"wanted": True}
        ).id
        ignored = emit(session, "test.filtered", subject_type="order", subject_id="2").id
        bulk = emit_many(
            session,
            [
                NewEvent("test.filtered", "order", 3, {"wanted": False}),
                NewEvent("test.filtered", "order", 4, {"wanted": True}),
            ],
        )
    # then only the wanted ones have a delivery, and only they run
    with database.sessions() as session:
        delivered = set(session.scalars(select(EventDelivery.event_id)))
    assert delivered == {wanted, bulk[1]}
    assert dispatch_due(database).done == 2
    assert [handled_count(database, i) for i in (wanted, ignored, *bulk)] == [1, 0, 0, 1]


def test_failing_handler_is_retried_with_backoff_and_runs_once(database: Database) -> None:
    # given a handler that fails twice before it succeeds
    clock = Clock()
    event_id = emit_committed(database, "test.flaky")
    handlers.FAILURES_LEFT[event_id] = 2
    # when the first attempt fails
    report = dispatch_due(database, clock=clock)
    # then its writes were rolled back and a retry is due after the backoff
    assert (report.done, report.retried) == (0, 1)
    assert handled_count(database, event_id) == 0
    row = delivery(database, event_id, "tests.flaky")
    assert (row.status, row.attempts, row.last_error) == (
        "pending",
        1,
        "RuntimeError: carrier API timed out",
    )
    assert row.next_attempt_at == clock.now + timedelta(seconds=backoff_seconds(1))
    # when dispatching before the backoff has passed, nothing runs
    clock.advance(backoff_seconds(1) - 1)
    assert dispatch_due(database, clock=clock).ran == 0
    # when time passes twice more
    clock.advance(1)
    assert dispatch_due(database, clock=clock).retried == 1
    clock.advance(backoff_seconds(2))
    assert dispatch_due(database, clock=clock).done == 1
    # then the handler's effect exists exactly once
    assert handled_count(database, event_id) == 1
    row = delivery(database, event_id, "tests.flaky")
    assert (row.status, row.attempts, row.last_error) == ("done", 3, None)


def park_a_failing_delivery(database: Database, clock: Clock) -> int:
    """Emit a flaky event and let it fail all 4 attempts; returns the event id."""
    event_id = emit_committed(database, "test.flaky")
    handlers.FAILURES_LEFT[event_id] = 100
    for attempt in range(1, 5):
        dispatch_due(database, clock=clock)
        clock.advance(backoff_seconds(attempt))
    return event_id


def test_handler_failing_every_time_is_parked_as_failed(database: Database) -> None:
    clock = Clock()
    event_id = park_a_failing_delivery(database, clock)
    row = delivery(database, event_id, "tests.flaky")
    assert (row.status, row.attempts) == ("failed", 4)
    assert dispatch_due(database, clock=clock).ran == 0
    assert handled_count(database, event_id) == 0


@pytest.mark.slow
def test_crash_between_commit_and_dispatch_loses_no_event(
    database_url: str, database: Database
) -> None:
    # given a process that commits an event and is killed before it can dispatch
    child = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "crash_after_commit.py"), database_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PYTHONPATH": str(ROOT)},
    )
    assert child.returncode == -9, child.stderr
    with database.sessions() as session:
        event = session.scalars(select(Event)).one()
    assert delivery(database, event.id, "tests.record_delivery").status == "pending"
    # when the sweep of another process runs
    report = dispatch_due(database)
    # then the event is handled, once
    assert report.done == 1
    assert handled_count(database, event.id) == 1


def test_delivery_leased_by_a_dead_worker_runs_after_the_lease(database: Database) -> None:
    # given a worker that took the lease and died before finishing
    clock = Clock()
    event_id = emit_committed(database, "test.happened")
    row = delivery(database, event_id, "tests.record_delivery")
    assert _lease(database, row.id, clock.now)
    # then nobody else runs it while the lease holds
    assert dispatch_due(database, clock=clock).ran == 0
    # and it runs once the lease has expired
    clock.advance(LEASE_SECONDS + 1)
    assert dispatch_due(database, clock=clock).done == 1
    assert handled_count(database, event_id) == 1


def test_commit_queues_a_dispatch_job_on_huey(runtime: Runtime) -> None:
    # given
    queued_before = runtime.queue.pending_count()
    # when a change with an event commits
    event_id = emit_committed(runtime.database, "test.happened")
    # then a dispatch job is waiting in the queue, and running it handles the event
    assert runtime.queue.pending_count() == queued_before + 1
    runtime.queue.run_pending()
    assert handled_count(runtime.database, event_id) == 1


def test_in_process_consumer_dispatches_after_commit(runtime: Runtime) -> None:
    consumer = start_consumer(runtime.queue, workers=1, in_process=True)
    try:
        event_id = emit_committed(runtime.database, "test.happened")
        deadline = time.monotonic() + 20
        while handled_count(runtime.database, event_id) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        consumer.stop(graceful=True)
    assert handled_count(runtime.database, event_id) == 1


@pytest.mark.redis
def test_redis_queue_carries_the_dispatch_job(
    settings: Settings, database: Database, redis_url: str
) -> None:
    from kefu.runtime import start, stop

    settings.redis_url = redis_url
    runtime = start(settings, database=database)
    try:
        runtime.queue.huey.flush()
        event_id = emit_committed(database, "test.happened")
        assert type(runtime.queue.huey).__name__ == "RedisHuey"
        assert runtime.queue.pending_count() == 1
        assert runtime.queue.run_pending() == 1
    finally:
        runtime.queue.huey.flush()
        stop()
    assert handled_count(database, event_id) == 1


def test_sweep_is_a_scheduled_job_every_minute(settings: Settings) -> None:
    assert JOBS["events.sweep"].schedule == "* * * * *"
    huey = make_queue(settings).huey
    due_at_0317 = sorted(
        task.name.rsplit(".", 2)[-2] + "." + task.name.rsplit(".", 1)[-1]
        for task in huey.read_periodic(datetime(2026, 11, 23, 3, 17))
    )
    due_at_0318 = [task.name for task in huey.read_periodic(datetime(2026, 11, 23, 3, 18))]
    assert due_at_0317 == [
        "accounts.purge_expired",
        "ai.read_messages",
        "ai.retrain",
        "automation.deliver_due_webhooks",
        "email.send_due",
        "events.sweep",
        "sla.check_clocks",
    ]
    assert sorted(name.rsplit(".", 2)[-2:] for name in due_at_0318) == [
        ["ai", "read_messages"],
        ["automation", "deliver_due_webhooks"],
        ["email", "send_due"],
        ["events", "sweep"],
        ["sla", "check_clocks"],
    ]


def test_operator_lists_and_retries_a_failed_delivery(database: Database) -> None:
    from kefu.dispatch_ops import failed_deliveries, retry_failed

    # given a delivery parked as failed
    clock = Clock()
    event_id = park_a_failing_delivery(database, clock)
    [failed] = failed_deliveries(database)
    assert (failed.event_id, failed.handler, failed.attempts) == (event_id, "tests.flaky", 4)
    # when the operator retries it after fixing the cause
    assert retry_failed(database, delivery_ids=[failed.id, 999999], clock=clock) == 1
    handlers.FAILURES_LEFT[event_id] = 0
    # then it runs once and leaves the failed list
    assert dispatch_due(database, clock=clock).done == 1
    assert failed_deliveries(database) == []
    assert handled_count(database, event_id) == 1
