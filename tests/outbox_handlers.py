"""Event handlers used by the outbox tests (imported by the test process and its children)."""

from collections import Counter

from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from kefu.compliance.service import record
from kefu.events import Event, handles
from kefu.jobs import enqueue_after_commit

# event id -> failures still to produce before the flaky handler succeeds
FAILURES_LEFT: Counter[int] = Counter()


@handles("test.happened", name="tests.record_delivery")
def record_delivery(session: Session, event: Event) -> None:
    """Leaves one audit row per successful run, so a test can count runs in the database."""
    record(session, action="test.handled", entity_type="events", entity_id=event.id)


@handles("test.flaky", name="tests.flaky", max_attempts=4)
def flaky(session: Session, event: Event) -> None:
    record(session, action="test.handled", entity_type="events", entity_id=event.id)
    if FAILURES_LEFT[event.id] > 0:
        FAILURES_LEFT[event.id] -= 1
        raise RuntimeError("carrier API timed out")


class Deadlock(Exception):
    sqlstate = "40P01"  # what psycopg reports when PostgreSQL broke a deadlock


# event id -> deadlocks still to run into before the handler gets its locks
DEADLOCKS_LEFT: Counter[int] = Counter()


# lists of event ids the batch handler was called with, in order
BATCH_CALLS: list[list[int]] = []


@handles("test.batched", name="tests.batched", batch=True, max_attempts=4)
def batched(session: Session, events: list[Event]) -> None:
    BATCH_CALLS.append([event.id for event in events])
    for event in events:
        record(session, action="test.handled", entity_type="events", entity_id=event.id)
    for event in events:
        if FAILURES_LEFT[event.id] > 0:
            FAILURES_LEFT[event.id] -= 1
            raise RuntimeError(f"event {event.id} is bad")
        if DEADLOCKS_LEFT[event.id] > 0:
            DEADLOCKS_LEFT[event.id] -= 1
            raise OperationalError("SELECT … FOR UPDATE", {}, Deadlock("deadlock detected"))


@handles("test.queues", name="tests.queues")
def queues_a_job(session: Session, event: Event) -> None:
    """Queues a job for after the commit, then fails while FAILURES_LEFT says so."""
    record(session, action="test.handled", entity_type="events", entity_id=event.id)
    enqueue_after_commit(session, "tests.after", event.id)
    if FAILURES_LEFT[event.id] > 0:
        FAILURES_LEFT[event.id] -= 1
        raise RuntimeError("webhook refused")


@handles(
    "test.filtered",
    name="tests.filtered",
    when=lambda _type, payload: payload.get("wanted") is True,
)
def filtered(session: Session, event: Event) -> None:
    record(session, action="test.handled", entity_type="events", entity_id=event.id)


@handles("test.contended", name="tests.contended")
def contended(session: Session, event: Event) -> None:
    """Like a handler locking a ticket an import holds: the database fails it to break the
    deadlock while DEADLOCKS_LEFT says so."""
    record(session, action="test.handled", entity_type="events", entity_id=event.id)
    if DEADLOCKS_LEFT[event.id] > 0:
        DEADLOCKS_LEFT[event.id] -= 1
        raise OperationalError("SELECT … FOR UPDATE", {}, Deadlock("deadlock detected"))


# what the prepared batch handler was given: (its event ids, `prepared`) per call
PREPARED_CALLS: list[tuple[list[int], object]] = []
# set by a test: what `prepare` calls (a function), or raises (an exception)
PREPARE_HOOK: list[object] = []


def _prepare(session: Session, events: list[Event]) -> list[int]:
    for hook in PREPARE_HOOK:
        if isinstance(hook, Exception):
            raise hook
        hook()  # type: ignore[operator]
    return [event.id for event in events]


@handles("test.prepared", name="tests.prepared", batch=True, prepare=_prepare)
def prepared(session: Session, events: list[Event], prepared: list[int] | None = None) -> None:
    PREPARED_CALLS.append(([event.id for event in events], prepared))
    for event in events:
        record(session, action="test.handled", entity_type="events", entity_id=event.id)


@handles("test.ticket_touched", name="tests.touch_tickets", batch=True)
def touch_tickets(session: Session, events: list[Event]) -> None:
    """Updates each event's ticket in the order of the events, as a batch's handlers one
    after the other may."""
    for event in events:
        session.execute(
            text("UPDATE tickets SET updated_at = updated_at WHERE id = :id"),
            {"id": int(event.subject_id)},
        )
