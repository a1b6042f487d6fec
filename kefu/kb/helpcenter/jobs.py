"""Outbox handlers of the help center: a visitor's comment on an article reaches its owner
as an in-app notification (after commit; a second run adds nothing)."""

import logging

from sqlalchemy.orm import Session

from kefu.errors import NotFound
from kefu.events import Event, handles
from kefu.kb import articles as kb_articles
from kefu.kb.helpcenter.votes import FEEDBACK_EVENT
from kefu.tickets.notifications import notify

log = logging.getLogger(__name__)


@handles(FEEDBACK_EVENT, name="helpcenter.notify_owner")
def notify_owner(session: Session, event: Event) -> None:
    if not event.subject_id.isdigit():
        return
    try:
        owner_id = kb_articles.get_article(session, int(event.subject_id)).owner_id
    except NotFound:
        owner_id = None
    if owner_id is None:
        log.info("article %s has no owner; its feedback stays on the report", event.subject_id)
        return
    notify(
        session,
        event_id=event.id,
        agent_id=owner_id,
        kind="article_feedback",
        ticket_id=None,
        actor_name=str(event.payload.get("title", ""))[:200],
    )
