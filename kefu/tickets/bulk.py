"""Bulk actions on tickets selected in a view: the same rules as one ticket at a time, and a
refusal on any ticket names it (the caller rolls the whole batch back)."""

from collections.abc import Callable

from sqlalchemy.orm import Session

from kefu.errors import InvalidInput, KefuError
from kefu.kit.actor import Actor
from kefu.permissions import require
from kefu.tickets.merge import merge_tickets
from kefu.tickets.models import Ticket
from kefu.tickets.schemas import TicketUpdate
from kefu.tickets.service import delete_ticket, restore_ticket, update_ticket

MAX_BULK = 200


def _each(ticket_ids: list[int], action: Callable[[int], Ticket]) -> list[Ticket]:
    if not ticket_ids:
        raise InvalidInput("select at least one ticket")
    if len(ticket_ids) > MAX_BULK:
        raise InvalidInput(f"at most {MAX_BULK} tickets at once")
    done = []
    for ticket_id in dict.fromkeys(ticket_ids):
        try:
            done.append(action(ticket_id))
        except KefuError as exc:
            exc.message = f"#{ticket_id}: {exc.message}"
            raise
    return done


def update_tickets(
    session: Session, *, actor: Actor, ticket_ids: list[int], data: TicketUpdate
) -> list[Ticket]:
    require(actor, "tickets.update")
    return _each(
        ticket_ids,
        lambda ticket_id: update_ticket(session, actor=actor, ticket_id=ticket_id, data=data),
    )


def delete_tickets(session: Session, *, actor: Actor, ticket_ids: list[int]) -> list[Ticket]:
    require(actor, "tickets.delete")
    return _each(
        ticket_ids, lambda ticket_id: delete_ticket(session, actor=actor, ticket_id=ticket_id)
    )


def restore_tickets(session: Session, *, actor: Actor, ticket_ids: list[int]) -> list[Ticket]:
    require(actor, "tickets.delete")
    return _each(
        ticket_ids, lambda ticket_id: restore_ticket(session, actor=actor, ticket_id=ticket_id)
    )


def merge_selected(
    session: Session, *, actor: Actor, target_id: int, ticket_ids: list[int]
) -> Ticket:
    """Merge the selected tickets into one of them (or another ticket by number)."""
    sources = [t for t in dict.fromkeys(ticket_ids) if t != target_id]
    if not sources:
        raise InvalidInput("select at least two tickets to merge, or name another target")
    return merge_tickets(session, actor=actor, target_id=target_id, source_ids=sources)
