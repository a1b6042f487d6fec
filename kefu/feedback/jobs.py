"""The feedback domain's handlers and jobs: a solve schedules a CSAT survey; due surveys go
out every five minutes; NPS campaigns run hourly."""

import logging
from typing import Any

from sqlalchemy.orm import Session

from kefu.config import secret_key
from kefu.events import Event, handles
from kefu.feedback import csat, nps, nps_mail, reviews
from kefu.jobs import job
from kefu.kit.actor import Actor
from kefu.kit.clock import as_utc
from kefu.runtime import current

log = logging.getLogger(__name__)


def _became_solved(_type: str, payload: dict[str, Any]) -> bool:
    change = (payload.get("changes") or {}).get("status")
    return isinstance(change, list) and len(change) == 2 and change[1] == "solved"


def _agent_reply(_type: str, payload: dict[str, Any]) -> bool:
    return payload.get("kind") == "reply" and payload.get("author_type") == "agent"


@handles("ticket.updated", name="feedback.schedule_csat", when=_became_solved)
def schedule_csat(session: Session, event: Event) -> None:
    """A ticket that became solved gets its survey scheduled (idempotent per solve)."""
    if _became_solved(event.type, event.payload or {}):
        csat.schedule_survey(session, ticket_id=int(event.subject_id))


@handles("message.added", name="feedback.review_followed_up", when=_agent_reply)
def review_followed_up(session: Session, event: Event) -> None:
    """An agent's first public reply on a review's follow-up ticket is when it was followed up."""
    payload = event.payload or {}
    if _agent_reply(event.type, payload):
        reviews.followed_up(
            session,
            ticket_id=int(event.subject_id),
            message_id=int(payload["message_id"]),
            at=as_utc(event.created_at),
        )


@job("feedback.send_csat", schedule="*/5 * * * *")
def send_csat() -> dict[str, int]:
    """Every five minutes: the surveys whose delay has passed, for tickets still solved.
    The mail leaves through the email channel's send job after the commit."""
    runtime = current()
    with runtime.database.unit_of_work(actor=Actor.job("feedback.send_csat")) as session:
        counts = csat.send_due_surveys(
            session,
            now=runtime.clock(),
            key=secret_key(runtime.settings),
            base_url=runtime.settings.base_url,
        )
    return dict(counts)


@job("feedback.run_nps", schedule="7 * * * *")
def run_nps() -> dict[int, dict[str, Any]]:
    """Hourly: each active campaign that is due picks and mails its customers."""
    runtime = current()
    with runtime.database.unit_of_work(actor=Actor.job("feedback.run_nps")) as session:
        results = nps.run_campaigns(session, now=runtime.clock())
    nps_mail.send_queued(runtime)
    return {campaign_id: dict(counts) for campaign_id, counts in results.items()}
