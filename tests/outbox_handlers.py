"""Event handlers used by the outbox tests (imported by the test process and its children)."""

from collections import Counter

from sqlalchemy.orm import Session

from kefu.compliance.service import record
from kefu.events import Event, handles

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
