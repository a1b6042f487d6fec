"""Assigning team tickets: the handler's work, safe to run twice and from two workers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.automation.assignment import service
from kefu.automation.assignment.models import AssignmentWait
from kefu.automation.assignment.pick import (
    Pick,
    assigned_at,
    members_by_team,
    moved_load,
    pick_agent,
)
from kefu.automation.assignment.schemas import Method, TeamAssignmentRead
from kefu.errors import NotFound
from kefu.kit.actor import Actor
from kefu.kit.batch_cache import cached
from kefu.kit.i18n import N_, translations_for
from kefu.tickets import loading as tickets_loading
from kefu.tickets import service as tickets
from kefu.tickets.messages import record_message
from kefu.tickets.schemas import Status, TicketUpdate
from kefu.tickets.staged import write_staged

ASSIGNER = Actor.job("assignment")
WAITING_NOTE = N_("Waiting in the team queue: %(reason)s.")
WAITING_BATCH = 25


def in_team_queue(ticket: Any) -> bool:
    return (
        ticket.team_id is not None
        and ticket.status not in (Status.SOLVED, Status.CLOSED)
        and ticket.merged_into_id is None
        and ticket.deleted_at is None
    )


def known_without_wait(session: Session) -> set[int]:
    """Tickets a batch handler read to have no wait, so that `_stop_waiting` need not look
    each up again (the session cannot hold a row that is not there); `_wait` takes a ticket
    out when it adds one. Outside a batch_cache block: an empty set each time."""
    return cached(session, "assignment.without_wait", set)


def _needs_agent(session: Session, ticket: Any, *, moved_in: bool) -> bool:
    """Unassigned in a team; or just moved into the team while held by a non-member."""
    if not in_team_queue(ticket):
        return False
    if ticket.assignee_id is None:
        return True
    if not moved_in:
        return False
    members = members_by_team(session).get(ticket.team_id, [])
    return ticket.assignee_id not in {agent.id for agent in members}


def _language() -> str:
    try:
        from kefu.runtime import current

        return current().settings.default_language
    except RuntimeError:
        return "en"


def _stop_waiting(session: Session, ticket_id: int) -> None:
    if ticket_id in known_without_wait(session):
        return
    wait = session.get(AssignmentWait, ticket_id)
    if wait is not None:
        session.delete(wait)
        session.flush()


def _wait(session: Session, ticket: Any, pick: Pick) -> None:
    """Keep the ticket in the team's queue and say why in an internal note, once per reason
    (a handler run again, or another update of the ticket, adds nothing)."""
    write_staged(session)  # the batch's assignments so far come before this note's event
    translate = translations_for(_language()).gettext
    reason = translate(pick.reason) % dict(pick.values)
    wait = session.get(AssignmentWait, ticket.id)
    if wait is not None and (wait.reason, wait.team_id) == (reason, ticket.team_id):
        return
    if wait is None:
        known_without_wait(session).discard(ticket.id)
        session.add(AssignmentWait(ticket_id=ticket.id, team_id=ticket.team_id, reason=reason))
    else:
        wait.reason, wait.team_id = reason, ticket.team_id
    record_message(
        session,
        ticket,
        kind="note",
        author_type="system",
        body_text=translate(WAITING_NOTE) % {"reason": reason},
    )


def assign_ticket(session: Session, *, ticket_id: int, moved_in: bool = False) -> int | None:
    """Give a team ticket that has no assignee to an agent by the team's method; the id of
    the agent, or None (manual team, already assigned, or no one can take it now).

    `moved_in`: the ticket was just put in its team (an escalation "assign to Tier 2"); if
    its assignee is not a member, the team's method picks anew, and with no one to pick it
    waits unassigned in the team's queue."""
    try:
        ticket = tickets.get_ticket(session, ticket_id)
    except NotFound:
        return None
    if not _needs_agent(session, ticket, moved_in=moved_in):
        _stop_waiting(session, ticket_id)
        return None
    settings = _locked_team(session, ticket.team_id)
    # Another worker may have assigned it while this one waited for the team's lock.
    _lock_ticket(session, ticket)
    if not _needs_agent(session, ticket, moved_in=moved_in) or settings.method == Method.MANUAL:
        _stop_waiting(session, ticket_id)
        return None
    pick = pick_agent(session, ticket=ticket, settings=settings)
    before = ticket.assignee_id
    if pick.agent_id is None:
        if before is not None:
            tickets.update_ticket(
                session, actor=ASSIGNER, ticket_id=ticket_id, data=TicketUpdate(assignee_id=None)
            )
            moved_load(session, before, None)
        _wait(session, ticket, pick)
        return None
    tickets.update_ticket(
        session, actor=ASSIGNER, ticket_id=ticket_id, data=TicketUpdate(assignee_id=pick.agent_id)
    )
    moved_load(session, before, pick.agent_id)
    assigned_at(session)[pick.agent_id] = service.mark_assigned(session, pick.agent_id).timestamp()
    _stop_waiting(session, ticket_id)
    return pick.agent_id


def batch_tickets(session: Session) -> dict[int, Any]:
    """The tickets a batch handler is about (read at its start), which the first lock of
    their team in the batch locks and re-reads at once; outside a batch_cache block: none."""
    return cached(session, "assignment.batch_tickets", dict)


def _locked_team(session: Session, team_id: int) -> TeamAssignmentRead:
    """The team's settings with its row locked until commit: within a batch, read and locked
    once (the lock holds to the end of the transaction, and the handler does not change a
    team's method or capacities). The batch's tickets of the team are locked and read again
    right after, in one statement, as `_lock_ticket` would do one by one."""
    locked: dict[int, TeamAssignmentRead] = cached(session, "assignment.locked_teams", dict)
    if team_id not in locked:
        locked[team_id] = service.team_settings(session, team_id, lock=True)
        ours = [
            ticket_id for ticket_id, t in batch_tickets(session).items() if t.team_id == team_id
        ]
        _fresh_tickets(session).update(tickets_loading.lock_tickets(session, ours))
    return locked[team_id]


def _fresh_tickets(session: Session) -> set[int]:
    return cached(session, "assignment.fresh_tickets", set)


def _lock_ticket(session: Session, ticket: Any) -> None:
    """Lock the ticket's row and read it again, unless its team's lock this batch did."""
    if ticket.id not in _fresh_tickets(session):
        session.refresh(ticket, with_for_update={"key_share": True})  # as `lock_tickets`


def waiting_tickets(session: Session, team_id: int, *, limit: int = WAITING_BATCH) -> list[int]:
    """The team's tickets no one could take, oldest first."""
    statement = (
        select(AssignmentWait.ticket_id)
        .where(AssignmentWait.team_id == team_id)
        .order_by(AssignmentWait.since, AssignmentWait.ticket_id)
        .limit(limit)
    )
    return list(session.scalars(statement))


def waits_of(session: Session, ticket_ids: Iterable[int]) -> dict[int, AssignmentWait]:
    """The waits of these tickets that exist, in one query."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return {}
    rows = session.scalars(select(AssignmentWait).where(AssignmentWait.ticket_id.in_(ids)))
    return {wait.ticket_id: wait for wait in rows}


def waiting_reasons(session: Session, ticket_ids: list[int]) -> dict[int, str]:
    if not ticket_ids:
        return {}
    rows = session.execute(
        select(AssignmentWait.ticket_id, AssignmentWait.reason).where(
            AssignmentWait.ticket_id.in_(ticket_ids)
        )
    )
    return {row.ticket_id: row.reason for row in rows}


def assign_waiting(session: Session, *, team_id: int) -> list[int]:
    """Offer the team's waiting tickets again (an agent came online, a ticket was solved);
    the ids of those assigned."""
    return [
        ticket_id
        for ticket_id in waiting_tickets(session, team_id)
        if assign_ticket(session, ticket_id=ticket_id) is not None
    ]
