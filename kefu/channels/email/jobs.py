"""The email channel's background work: queue agents' replies for sending, send them, and
sweep up what a crash or a temporary failure left behind."""

import logging
from typing import Any

from sqlalchemy.orm import Session

from kefu.channels.email.outbound import due_outbound_ids, queue_reply, send_outbound
from kefu.events import Event, handles
from kefu.jobs import job
from kefu.runtime import current

log = logging.getLogger(__name__)


def _agent_email_reply(_type: str, payload: dict[str, Any]) -> bool:
    return (
        payload.get("kind") == "reply"
        and payload.get("author_type") == "agent"
        and payload.get("channel") == "email"
    )


@handles("message.added", name="email.queue_reply", when=_agent_email_reply)
def queue_reply_mail(session: Session, event: Event) -> None:
    payload = event.payload or {}
    if _agent_email_reply(event.type, payload):
        queue_reply(session, int(payload["message_id"]), mail_from=current().settings.mail_from)


@job("email.send")
def send_reply_mail(outbound_id: int) -> None:
    runtime = current()
    status = send_outbound(
        runtime.database, runtime.files, outbound_id, settings=runtime.settings, clock=runtime.clock
    )
    if status == "queued":
        log.info("email %s will be retried by the sweep", outbound_id)


@job("email.send_due", schedule="* * * * *")
def send_due_mail() -> None:
    """Every minute: retries that are due, and sends a dead process left half done."""
    runtime = current()
    with runtime.database.unit_of_work() as session:
        ids = due_outbound_ids(session, now=runtime.clock())
    for outbound_id in ids:
        send_outbound(
            runtime.database,
            runtime.files,
            outbound_id,
            settings=runtime.settings,
            clock=runtime.clock,
        )
