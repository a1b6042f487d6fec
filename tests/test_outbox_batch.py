"""The outbox dispatcher's batches: many deliveries leased in one update and run in one
transaction, a savepoint each, without giving up the guarantees of one at a time."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import event

import tests.outbox_handlers as handlers
from kefu.db import Database
from kefu.dispatch import (
    LEASE_SECONDS,
    DispatchReport,
    backoff_seconds,
    dispatch_due,
    lease_due,
    run_delivery,
    run_leased,
)
from kefu.events import registry
from kefu.jobs import AFTER_COMMIT_KEY
from tests.test_outbox import Clock, delivery, emit_committed, handled_count


@pytest.fixture(autouse=True)
def _fresh_handlers() -> Iterator[None]:
    handlers.FAILURES_LEFT.clear()
    handlers.BATCH_CALLS.clear()
    handlers.DEADLOCKS_LEFT.clear()
    yield
    handlers.FAILURES_LEFT.clear()


def count_commits(database: Database) -> list[int]:
    commits = [0]

    @event.listens_for(database.engine, "commit")
    def _count(_connection: object) -> None:
        commits[0] += 1

    return commits


def test_a_batch_commits_once_and_a_failure_rolls_back_only_its_own_writes(
    database: Database,
) -> None:
    # given ten good events and a flaky one among them
    clock = Clock()
    good = [emit_committed(database, "test.happened") for _ in range(5)]
    bad = emit_committed(database, "test.flaky")
    good += [emit_committed(database, "test.happened") for _ in range(5)]
    handlers.FAILURES_LEFT[bad] = 1
    commits = count_commits(database)
    # when dispatched
    report = dispatch_due(database, clock=clock)
    # then the good ones are done and the flaky one's writes are gone, its retry scheduled
    assert (report.done, report.retried, report.failed) == (10, 1, 0)
    assert report.errors == ["RuntimeError: carrier API timed out"]
    assert report.next_retry_at == clock.now + timedelta(seconds=backoff_seconds(1))
    assert [handled_count(database, event_id) for event_id in good] == [1] * 10
    assert handled_count(database, bad) == 0
    row = delivery(database, bad, "tests.flaky")
    assert (row.status, row.attempts, row.last_error, row.leased_until) == (
        "pending",
        1,
        "RuntimeError: carrier API timed out",
        None,
    )
    assert row.next_attempt_at == clock.now + timedelta(seconds=backoff_seconds(1))
    assert {delivery(database, e, "tests.record_delivery").status for e in good} == {"done"}
    # in three transactions: the lease, the run, and the lease that found nothing more
    assert commits == [3]


def test_what_a_failed_handler_queued_for_after_commit_is_dropped(database: Database) -> None:
    # given two events whose handler queues a job, one of them failing after queueing
    queued: list[object] = []
    database.after_commit_hooks.append(
        lambda session: queued.extend(session.info.pop(AFTER_COMMIT_KEY, []))
    )
    ok = emit_committed(database, "test.queues")
    bad = emit_committed(database, "test.queues")
    handlers.FAILURES_LEFT[bad] = 1
    # when dispatched
    report = dispatch_due(database, clock=Clock())
    # then only the successful handler's job is queued
    assert (report.done, report.retried) == (1, 1)
    assert queued == [("tests.after", (ok,))]
    assert (handled_count(database, ok), handled_count(database, bad)) == (1, 0)


def test_a_batch_handler_gets_the_due_events_together(database: Database) -> None:
    ids = [emit_committed(database, "test.batched") for _ in range(3)]
    report = dispatch_due(database, clock=Clock())
    assert (report.done, report.errors) == (3, [])
    assert list(handlers.BATCH_CALLS) == [ids]
    assert [handled_count(database, event_id) for event_id in ids] == [1, 1, 1]


def test_a_failing_batch_runs_each_event_alone_and_retries_only_the_bad_one(
    database: Database,
) -> None:
    # given three events, the middle one failing twice
    clock = Clock()
    first, bad, last = (emit_committed(database, "test.batched") for _ in range(3))
    handlers.FAILURES_LEFT[bad] = 2
    # when dispatched
    report = dispatch_due(database, clock=clock)
    # then the batch failed, each event ran alone, and only the bad one waits for a retry
    assert list(handlers.BATCH_CALLS) == [[first, bad, last], [first], [bad], [last]]
    assert (report.done, report.retried) == (2, 1)
    assert [handled_count(database, e) for e in (first, bad, last)] == [1, 0, 1]
    row = delivery(database, bad, "tests.batched")
    assert (row.status, row.attempts, row.last_error) == (
        "pending",
        1,
        f"RuntimeError: event {bad} is bad",
    )
    # when its backoff has passed
    clock.advance(backoff_seconds(1))
    assert dispatch_due(database, clock=clock).done == 1
    assert list(handlers.BATCH_CALLS)[-1] == [bad]
    assert [handled_count(database, e) for e in (first, bad, last)] == [1, 1, 1]


def test_a_second_runner_leases_only_what_the_first_did_not(database: Database) -> None:
    clock = Clock()
    ids = [emit_committed(database, "test.happened") for _ in range(5)]
    first = lease_due(database, now=clock.now, limit=3)
    second = lease_due(database, now=clock.now, limit=3)
    assert [item.event_id for item in first] == ids[:3]
    assert [item.event_id for item in second] == ids[3:]
    assert lease_due(database, now=clock.now, limit=3) == []


def test_delivery_another_runner_finished_is_rolled_back_while_the_rest_commit(
    database: Database,
) -> None:
    # given a slow runner that leased two deliveries
    clock = Clock()
    first = emit_committed(database, "test.happened")
    second = emit_committed(database, "test.happened")
    leased = lease_due(database, now=clock.now, limit=10)
    # and, its lease expired, another runner that finished the first of them
    clock.advance(LEASE_SECONDS + 1)
    assert run_delivery(database, leased[0].id, clock=clock).done == 1
    # when the slow runner, unaware, runs its batch after all
    report = DispatchReport()
    run_leased(database, leased, now=clock.now, clock=clock, handlers=registry, report=report)
    # then its run of the first is rolled back, and the second is done once
    assert (report.done, report.retried, report.failed) == (1, 0, 0)
    assert (handled_count(database, first), handled_count(database, second)) == (1, 1)
    assert delivery(database, second, "tests.record_delivery").status == "done"


class TickingClock(Clock):
    """Every reading is 100 s later than the one before (a batch of slow handlers)."""

    def __call__(self):  # type: ignore[no-untyped-def]
        self.now += timedelta(seconds=100)
        return self.now


def test_a_batch_running_past_half_its_lease_releases_what_it_has_not_started(
    database: Database,
) -> None:
    # given three events and handlers that each take 100 s
    ids = [emit_committed(database, "test.happened") for _ in range(3)]
    clock = TickingClock()
    # when one batch runs (its lease is 300 s)
    report = dispatch_due(database, clock=clock, max_batches=1)
    # then it ran what it could within half the lease and gave the rest back at once
    assert report.done == 1
    assert [handled_count(database, event_id) for event_id in ids] == [1, 0, 0]
    rest = [delivery(database, event_id, "tests.record_delivery") for event_id in ids[1:]]
    assert [(row.status, row.leased_until, row.attempts) for row in rest] == [
        ("pending", None, 0),
        ("pending", None, 0),
    ]
    assert dispatch_due(database, clock=Clock()).done == 2


def test_a_deadlocked_handler_runs_its_whole_batch_again(database: Database) -> None:
    # given a batch whose middle handler the database fails twice to break a deadlock
    clock = Clock()
    before = [emit_committed(database, "test.happened") for _ in range(3)]
    contended = emit_committed(database, "test.contended")
    after = [emit_committed(database, "test.happened") for _ in range(3)]
    handlers.DEADLOCKS_LEFT[contended] = 2
    # when dispatched
    report = dispatch_due(database, clock=clock)
    # then the batch ran again from the start — the earlier deliveries' locks let go, their
    # first runs rolled back — and nothing waits for a retry later
    assert (report.done, report.retried, report.failed) == (7, 0, 0)
    assert [handled_count(database, e) for e in [*before, contended, *after]] == [1] * 7
    assert delivery(database, contended, "tests.contended").status == "done"
