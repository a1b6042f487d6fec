"""Outbox handlers that turn ticket events into in-app notifications.

Each runs after the change committed, in its own transaction, maybe more than once: the
unique (event_id, agent_id, kind) makes a second run add nothing. Nobody is notified of
their own action, and agents that are gone or deactivated are skipped.
"""

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.events import Event, handles
from kefu.tickets.models import Ticket
from kefu.tickets.notifications import Kind, Notice, notify_many

log = logging.getLogger(__name__)


def actor_agent_id(event: Event) -> int | None:
    """The agent behind "agent:12"; None for jobs, the system and API tokens."""
    kind, _, ref = event.actor.partition(":")
    return int(ref) if kind == "agent" and ref.isdigit() else None


def _notices(
    session: Session,
    items: list[tuple[Event, list[Any], Kind, int | None]],
) -> list[Notice]:
    """Each (event, agents, kind, message) as the notices it gives: none when the ticket is
    gone, none to the agent who acted or to one gone or deactivated; the tickets and agents
    read at once for them all."""
    ticket_ids = {int(e.subject_id) for e, *_ in items if e.subject_id.isdigit()}
    found = set(session.scalars(select(Ticket.id).where(Ticket.id.in_(sorted(ticket_ids)))))
    named = [actor_agent_id(event) for event, *_ in items]
    wanted = [a for _, agent_ids, *_ in items for a in agent_ids if _agent_like(a)]
    agents = accounts.agents_by_ids(session, [*named, *wanted])
    notices: list[Notice] = []
    for (event, agent_ids, kind, message_id), actor_id in zip(items, named, strict=True):
        ticket_id = int(event.subject_id) if event.subject_id.isdigit() else None
        if ticket_id not in found:
            log.info("event %s: ticket %s is gone; no %s notice", event.id, event.subject_id, kind)
            continue
        actor = agents.get(actor_id) if actor_id else None
        actor_name = actor.name if actor is not None and actor.is_active else ""
        for agent_id in dict.fromkeys(agent_ids):  # each once, in order
            agent = agents.get(agent_id) if _agent_like(agent_id) else None
            if agent_id == actor_id or agent is None or not agent.is_active:
                continue
            notices.append(
                Notice(event.id, agent.id, kind, ticket_id, message_id, actor_name=actor_name)
            )
    return notices


def _agent_like(agent_id: Any) -> bool:
    return isinstance(agent_id, int) and not isinstance(agent_id, bool)


def _notify_each(
    session: Session,
    event: Event,
    *,
    agent_ids: list[Any],
    kind: Kind,
    message_id: int | None = None,
) -> None:
    notify_many(session, _notices(session, [(event, agent_ids, kind, message_id)]))


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
    batch=True,
    when=lambda event_type, payload: _new_assignee(event_type, payload) is not None,
)
def notify_assignees(session: Session, events: list[Event]) -> None:
    """ "Assigned to you", when a ticket is created for or moved to someone else: a batch's
    tickets and agents read at once, its notices written at once."""
    items: list[tuple[Event, list[Any], Kind, int | None]] = []
    for event in events:
        assignee_id = _new_assignee(event.type, event.payload)
        if assignee_id is not None:
            items.append((event, [assignee_id], "assigned", None))
    if items:
        notify_many(session, _notices(session, items))


def notify_assignee(session: Session, event: Event) -> None:
    """`notify_assignees` for one event."""
    notify_assignees(session, [event])


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
