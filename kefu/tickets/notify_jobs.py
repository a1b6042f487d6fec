"""Outbox handlers that turn ticket events into in-app notifications.

Each runs after the change committed, in its own transaction, maybe more than once: the
unique (event_id, agent_id, kind) makes a second run add nothing. Nobody is notified of
their own action, and agents that are gone or deactivated are skipped.
"""

import logging
from typing import Any

from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.errors import NotFound
from kefu.events import Event, handles
from kefu.tickets.models import Ticket
from kefu.tickets.notifications import Kind, notify

log = logging.getLogger(__name__)


def actor_agent_id(event: Event) -> int | None:
    """The agent behind "agent:12"; None for jobs, the system and API tokens."""
    kind, _, ref = event.actor.partition(":")
    return int(ref) if kind == "agent" and ref.isdigit() else None


def _active_agent_name(session: Session, agent_id: Any) -> str | None:
    if not isinstance(agent_id, int) or isinstance(agent_id, bool):
        return None
    try:
        agent = accounts.get_agent(session, agent_id)
    except NotFound:
        return None
    return agent.name if agent.is_active else None


def _ticket_id(session: Session, event: Event) -> int | None:
    if not event.subject_id.isdigit():
        return None
    ticket = session.get(Ticket, int(event.subject_id))
    return ticket.id if ticket is not None else None


def _notify_each(
    session: Session,
    event: Event,
    *,
    agent_ids: list[Any],
    kind: Kind,
    message_id: int | None = None,
) -> None:
    ticket_id = _ticket_id(session, event)
    if ticket_id is None:
        log.info("event %s: ticket %s is gone; no %s notice", event.id, event.subject_id, kind)
        return
    actor_id = actor_agent_id(event)
    actor_name = (_active_agent_name(session, actor_id) or "") if actor_id else ""
    for agent_id in dict.fromkeys(agent_ids):  # each once, in order
        if agent_id == actor_id or _active_agent_name(session, agent_id) is None:
            continue
        notify(
            session,
            event_id=event.id,
            agent_id=agent_id,
            kind=kind,
            ticket_id=ticket_id,
            message_id=message_id,
            actor_name=actor_name,
        )


def _new_assignee(event_type: str, payload: dict[str, Any]) -> Any:
    """Who a ticket was created for or moved to (None when the event assigns nobody)."""
    if event_type == "ticket.created":
        return payload.get("assignee_id")
    change = (payload.get("changes") or {}).get("assignee_id")
    return change[1] if isinstance(change, list | tuple) and len(change) == 2 else None


def _mentioned(payload: dict[str, Any]) -> list[Any]:
    mentions = payload.get("mentions") or []
    author_id = payload.get("author_agent_id")
    return [m for m in mentions if m != author_id] if isinstance(mentions, list) else []


def _customer_replied_to(payload: dict[str, Any]) -> Any:
    return payload.get("assignee_id") if payload.get("author_type") == "customer" else None


@handles(
    "ticket.created",
    "ticket.updated",
    name="tickets.notify_assignee",
    when=lambda event_type, payload: _new_assignee(event_type, payload) is not None,
)
def notify_assignee(session: Session, event: Event) -> None:
    """ "Assigned to you", when a ticket is created for or moved to someone else."""
    assignee_id = _new_assignee(event.type, event.payload)
    if assignee_id is not None:
        _notify_each(session, event, agent_ids=[assignee_id], kind="assigned")


@handles(
    "message.added",
    name="tickets.notify_message",
    when=lambda _type, payload: (
        bool(_mentioned(payload)) or _customer_replied_to(payload) is not None
    ),
)
def notify_message(session: Session, event: Event) -> None:
    """ "Mentioned you" for each @mention; "customer replied" for the ticket's assignee."""
    payload = event.payload
    message_id = payload.get("message_id")
    message_id = message_id if isinstance(message_id, int) else None
    mentioned = _mentioned(payload)
    if mentioned:
        _notify_each(session, event, agent_ids=mentioned, kind="mentioned", message_id=message_id)
    assignee_id = _customer_replied_to(payload)
    if assignee_id is not None:
        _notify_each(
            session, event, agent_ids=[assignee_id], kind="customer_replied", message_id=message_id
        )
