"""Calls in the JSON API under /api/v1: a ticket's calls, one call, and logging a call."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request, status

from kefu.api.routing import CONFLICT, NOT_FOUND, api_router
from kefu.channels.phone import service
from kefu.channels.phone.logging_calls import log_call
from kefu.channels.phone.schemas import CallLog, CallRead
from kefu.kit.bounds import INT8_MAX
from kefu.permissions import require
from kefu.tickets.service import read_ticket
from kefu.web.deps import ApiActor, DbSession

router = api_router("calls")
TicketId = Annotated[int, Path(ge=1, le=INT8_MAX, description="the ticket's id", examples=[1])]
CallId = Annotated[int, Path(ge=1, le=INT8_MAX, description="the call's id", examples=[1])]


@router.get("/tickets/{ticket_id}/calls", response_model=list[CallRead], responses=NOT_FOUND)
def list_ticket_calls(ticket_id: TicketId, session: DbSession, actor: ApiActor) -> list[CallRead]:
    """The ticket's calls, oldest first (from the provider's webhooks and logged by hand)."""
    ticket = read_ticket(session, actor=actor, ticket_id=ticket_id)
    return [CallRead.model_validate(c) for c in service.calls_of_ticket(session, ticket.id)]


@router.get("/calls/{call_id}", response_model=CallRead, responses=NOT_FOUND)
def get_call(call_id: CallId, session: DbSession, actor: ApiActor) -> CallRead:
    require(actor, "tickets.read")
    return CallRead.model_validate(service.get_call(session, call_id))


@router.post(
    "/tickets/{ticket_id}/calls",
    response_model=CallRead,
    status_code=status.HTTP_201_CREATED,
    responses={**NOT_FOUND, **CONFLICT},
)
def log_ticket_call(
    ticket_id: TicketId, data: CallLog, request: Request, session: DbSession, actor: ApiActor
) -> CallRead:
    """Log a call made or taken outside kefu's phone lines: it appears in the ticket's
    conversation as a call card (never sent to the customer)."""
    now = request.app.state.runtime.clock()
    return CallRead.model_validate(
        log_call(session, actor=actor, ticket_id=ticket_id, data=data, now=now)
    )
