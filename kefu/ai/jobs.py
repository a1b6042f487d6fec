"""The ai domain's background work: customer messages queued as they arrive (a batch
message.added handler that loads no model), read by a job, and the nightly retrain."""

import logging

from sqlalchemy.orm import Session

from kefu.ai import queueing
from kefu.config import secret_key
from kefu.events import Event, handles
from kefu.jobs import job
from kefu.kit.actor import Actor
from kefu.runtime import current

log = logging.getLogger(__name__)


@handles(
    "message.added",
    name="ai.queue_messages",
    batch=True,
    when=lambda _type, payload: payload.get("author_type") == "customer",
)
def queue_messages(session: Session, events: list[Event]) -> None:
    queueing.queue_messages(session, events)


@job(queueing.JOB, schedule="* * * * *")
def read_messages() -> int:
    """Right after messages are queued, and every minute as the net (a crash in between)."""
    from kefu.ai import reading

    runtime = current()
    return reading.read_pending(runtime.database, key=secret_key(runtime.settings))


@job("ai.retrain", schedule="17 3 * * *")
def retrain() -> str:
    """Every night: a model from the taxonomy's seeds and the tickets agents labelled,
    when either changed since the newest model."""
    from kefu.ai import training

    runtime = current()
    row = training.train_and_save(
        runtime.database, key=secret_key(runtime.settings), actor=Actor.job("ai.retrain"),
        only_when_needed=True,
    )  # fmt: skip
    if row is None:
        return ""
    log.info("intent model %s trained: %s", row.version, row.metrics)
    return row.version


@job("ai.train")
def train_now(requested_by: str = "") -> str:
    """An admin's "Train now": a model from the seeds and every label, whatever changed."""
    from kefu.ai import training

    runtime = current()
    row = training.train_and_save(
        runtime.database, key=secret_key(runtime.settings), actor=Actor.job("ai.train")
    )
    assert row is not None
    log.info("intent model %s trained (asked by %s): %s", row.version, requested_by, row.metrics)
    return row.version


@job("ai.trends", schedule="41 2 * * *")
def compute_trends(requested_by: str = "") -> int:
    """Every night (and on "Compute now" or `kefu ai trends`): the topics of the last 14
    days' tickets and their change, stored as a snapshot for the trends page."""
    from kefu.ai import trends

    runtime = current()
    snapshot_id = trends.compute(
        runtime.database, actor=Actor.job(trends.JOB), now=runtime.clock(),
        requested_by=requested_by,
    )  # fmt: skip
    log.info("trends snapshot %s computed (asked by %s)", snapshot_id, requested_by or "cron")
    return snapshot_id
