"""Assignment's event handlers: a team ticket without an assignee gets one by the team's
method; an agent coming online or a ticket solved lets waiting tickets through."""

from typing import Any

from sqlalchemy.orm import Session

from kefu.accounts import auth
from kefu.accounts import service as accounts
from kefu.automation.assignment.assign import (
    assign_ticket,
    assign_waiting,
    batch_tickets,
    in_team_queue,
    known_without_wait,
    waits_of,
)
from kefu.automation.assignment.schemas import AgentStatusValue
from kefu.automation.assignment.service import marks_at_end, set_status
from kefu.errors import NotFound
from kefu.events import Event, handles
from kefu.kit.actor import Actor
from kefu.kit.batch_cache import batch_cache
from kefu.tickets import loading as tickets_loading
from kefu.tickets import service as tickets
from kefu.tickets.staged import updates_written_together

FREEING_STATUSES = ("solved", "closed")


def freed_agent(session: Session, event: Event) -> int | None:
    """The agent a ticket update gave room to: their ticket was solved or taken from them."""
    changes: dict[str, Any] = (event.payload or {}).get("changes") or {}
    assignee = changes.get("assignee_id")
    if assignee and assignee[0] is not None:
        return int(assignee[0])
    status = changes.get("status")
    if status and status[1] in FREEING_STATUSES:
        try:
            return tickets.get_ticket(session, int(event.subject_id)).assignee_id
        except NotFound:
            return None
    return None


@handles("ticket.created", "ticket.updated", name="assignment.assign_ticket", batch=True)
def on_tickets_changed(session: Session, events: list[Event]) -> None:
    """`on_ticket_changed` for each event in order, the tickets and their waits read at once.
    A ticket outside any team's queue that was not waiting needs nothing from
    `assign_ticket` (no one else in this batch puts it into a queue or makes it wait), so
    only a freed agent's waiting tickets are looked at for it. The tickets' updates are
    written together when the batch ends (kefu.tickets.staged), and so are round robin's
    position and the agents' last assignment (marks_at_end)."""
    ticket_ids = {int(event.subject_id) for event in events}
    with batch_cache(session), marks_at_end(session), updates_written_together(session):
        found = tickets_loading.tickets_by_ids(session, ticket_ids)
        batch_tickets(session).update(found)
        waits = waits_of(session, ticket_ids)
        known_without_wait(session).update(ticket_ids - waits.keys())
        for event in events:
            ticket = found.get(int(event.subject_id))
            if ticket is not None and not in_team_queue(ticket) and ticket.id not in waits:
                _offer_freed_agent(session, event)
            else:
                on_ticket_changed(session, event)


def on_ticket_changed(session: Session, event: Event) -> None:
    changes = (event.payload or {}).get("changes") or {}
    moved_in = "team_id" in changes and "assignee_id" not in changes
    assign_ticket(session, ticket_id=int(event.subject_id), moved_in=moved_in)
    _offer_freed_agent(session, event)


def _offer_freed_agent(session: Session, event: Event) -> None:
    """A solved ticket or one taken from its agent lets their teams' waiting tickets in."""
    if event.type == "ticket.updated":
        agent_id = freed_agent(session, event)
        if agent_id is not None:
            for team_id in accounts.team_ids_of(session, agent_id):
                assign_waiting(session, team_id=team_id)


@handles("agent.status_changed", name="assignment.agent_status_changed")
def on_agent_status(session: Session, event: Event) -> None:
    if (event.payload or {}).get("after") == "online":
        for team_id in accounts.team_ids_of(session, int(event.subject_id)):
            assign_waiting(session, team_id=team_id)


@handles("agent.signed_out", name="assignment.signed_out_offline")
def on_signed_out(session: Session, event: Event) -> None:
    """The agent signed out of their last browser: offline, so nothing new is assigned to
    them (checked when handled: signing in again meanwhile keeps the status)."""
    agent_id = int(event.subject_id)
    if auth.has_session(session, agent_id):
        return
    try:
        set_status(
            session, actor=Actor.system(), agent_id=agent_id, status=AgentStatusValue.OFFLINE
        )
    except NotFound:
        return
