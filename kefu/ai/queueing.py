"""Customer messages queued for reading as they arrive: the batch message.added handler's
work, one insert per batch and no model, so ingest and the other handlers never wait for
one (kefu.ai.reading reads the queue in a job)."""

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from kefu.ai import switches
from kefu.ai.models import MessageAnalysis, PendingAnalysis
from kefu.events import Event
from kefu.jobs import enqueue_after_commit
from kefu.kit.clock import utcnow

JOB = "ai.read_messages"


def queue_messages(session: Session, events: list[Event]) -> int:
    """The customer messages of these message.added events, queued for reading once each
    (a redelivered event finds its message queued or read already). Returns how many."""
    if not events or not switches.current(session).reads_messages:
        return 0
    wanted: dict[int, int] = {}
    for event in events:
        payload = event.payload or {}
        message_id = payload.get("message_id")
        is_customer = payload.get("author_type") == "customer"
        on_ticket = event.subject_type == "ticket" and event.subject_id.isdigit()
        if is_customer and on_ticket and isinstance(message_id, int):
            wanted[message_id] = int(event.subject_id)
    if not wanted:
        return 0
    ids = sorted(wanted)
    known = set(session.scalars(select(PendingAnalysis.message_id).where(
        PendingAnalysis.message_id.in_(ids))))  # fmt: skip
    known |= set(session.scalars(select(MessageAnalysis.message_id).where(
        MessageAnalysis.message_id.in_(ids))))  # fmt: skip
    rows = [{"message_id": m, "ticket_id": wanted[m], "queued_at": utcnow()}
            for m in ids if m not in known]  # fmt: skip
    if rows:
        session.execute(insert(PendingAnalysis.__table__), rows)
        enqueue_after_commit(session, JOB)
    return len(rows)
