"""Logging a call by hand: an agent records a call made or taken outside kefu's phone lines on a
ticket, with its duration (from the form's timer), disposition and notes."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from kefu.channels.phone import lines
from kefu.channels.phone.models import Call
from kefu.channels.phone.numbers import to_e164
from kefu.channels.phone.placement import source_id, summary_of
from kefu.channels.phone.schemas import NOT_REACHED, CallLog
from kefu.channels.phone.service import call_payload
from kefu.customers import service as customers
from kefu.customers.schemas import IdentityIn
from kefu.events import emit
from kefu.kit.actor import Actor
from kefu.kit.clock import as_utc, utcnow
from kefu.permissions import require
from kefu.tickets import service as tickets
from kefu.tickets.messages import record_message
from kefu.tickets.schemas import Status


def log_call(
    session: Session, *, actor: Actor, ticket_id: int, data: CallLog, now: datetime | None = None
) -> Call:
    """The call and its entry in the ticket's conversation (the agent's, channel "phone": it
    is never sent anywhere). A number nobody has yet becomes the requester's, so their next
    call is matched."""
    require(actor, "tickets.reply")
    ticket = tickets.editable_ticket(session, ticket_id)
    number = to_e164(data.number, region=lines.default_region(session))
    owner = customers.find_by_identity(session, "phone", number)
    if owner is None and ticket.requester_id is not None:
        customers.add_identity(
            session,
            actor=Actor.system(),
            customer_id=ticket.requester_id,
            data=IdentityIn(kind="phone", value=number),
        )
    now = now or utcnow()
    started = (
        as_utc(data.started_at)
        if data.started_at
        else now - timedelta(seconds=data.duration_seconds)
    )
    reached = data.disposition not in NOT_REACHED
    line_number = _line_number(session)
    call = Call(
        provider="manual",
        provider_call_id=uuid.uuid4().hex,
        direction=data.direction,
        from_number=number if data.direction == "inbound" else line_number,
        to_number=line_number if data.direction == "inbound" else number,
        customer_id=owner.id if owner is not None else ticket.requester_id,
        agent_id=actor.agent_id,
        team_id=ticket.team_id,
        ticket_id=ticket.id,
        status="completed",
        outcome="answered" if reached else ("voicemail" if _left_message(data) else "missed"),
        is_routed=False,
        started_at=started,
        answered_at=started if reached else None,
        ended_at=started + timedelta(seconds=data.duration_seconds),
        duration_seconds=data.duration_seconds,
        disposition=data.disposition,
        notes=data.notes.strip(),
    )
    # The message first, so the call is written (and audited) once, complete.
    message = record_message(
        session,
        ticket,
        kind="reply",
        author_type="agent" if actor.agent_id is not None else "system",
        author_agent_id=actor.agent_id,
        body_text=summary_of(call),
        channel="phone",
        source_id=source_id(call),
        created_at=started,
    )
    call.message_id = message.id
    session.add(call)
    changes: dict[str, list[Any]] = {}
    if ticket.status == Status.NEW:
        tickets.apply_status(ticket, Status.OPEN, changes)
    tickets.record_update(session, ticket, changes, actor=actor)
    session.flush()
    emit(
        session, "call.logged", subject_type="call", subject_id=call.id, payload=call_payload(call)
    )
    return call


def _left_message(data: CallLog) -> bool:
    # The agent left the customer a voicemail: nobody talked, but a message was left.
    return data.disposition == "left_voicemail"


def _line_number(session: Session) -> str:
    """The store's first active line, as the kefu end of a logged call ("" with no line)."""
    region_line = lines.first_active_line(session)
    return region_line.number if region_line is not None else ""
