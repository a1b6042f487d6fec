"""Where a call goes in the conversation: a missed call or a voicemail opens a ticket through
ingest (as the customer's message, channel "phone"); an answered call continues the customer's
unsolved ticket or opens one; an outgoing call is the agent's entry on that ticket."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from kefu.channels.phone.models import Call, PhoneLine
from kefu.channels.phone.numbers import display
from kefu.customers import service as customers
from kefu.customers.schemas import CustomerCreate
from kefu.ingest.schemas import InboundMessage, Sender
from kefu.ingest.service import ingest
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.tickets import service as tickets
from kefu.tickets.messages import receive_customer_message, record_message
from kefu.tickets.schemas import Status, TicketUpdate

# How far back an answered call looks for the customer's unsolved ticket to continue.
CONTINUE_WINDOW = timedelta(days=14)
UNSOLVED = frozenset({Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD})


def source_id(call: Call) -> str:
    return f"call:{call.provider}:{call.provider_call_id}"


def place_call(session: Session, *, call: Call, line: PhoneLine | None) -> None:
    """Write the call into a ticket once."""
    if call.message_id is not None:
        return
    if call.customer_id is None:
        if call.direction != "inbound":
            return  # an outgoing call to something that is not a number: the record only
        _place_withheld(session, call)
    elif call.direction == "inbound":
        _place_inbound(session, call)
    else:
        _place_outbound(session, call)
    if line is not None and line.team_id is not None and call.ticket_id is not None:
        ticket = tickets.get_ticket(session, call.ticket_id)
        if ticket.team_id is None and ticket.assignee_id is None:
            tickets.update_ticket(
                session,
                actor=Actor.system(),
                ticket_id=ticket.id,
                data=TicketUpdate(team_id=line.team_id),
            )


def _place_inbound(session: Session, call: Call) -> None:
    number = call.from_number
    hint = _ticket_to_continue(session, call)
    result = ingest(
        session,
        message=InboundMessage(
            channel="phone",
            source_id=source_id(call),
            sender=Sender(phone=number),
            subject=subject_of(call),
            body_text=summary_of(call),
            received_at=call.started_at,
            ticket_id=hint,
            details={"call_id": call.id},
        ),
    )
    call.ticket_id = result.ticket_id
    call.message_id = result.message_id
    session.flush()


def _place_withheld(session: Session, call: Call) -> None:
    """A caller who withheld their number: nothing to match them by, so a customer of their
    own (never one shared by every anonymous caller) and a new ticket."""
    customer = customers.create_customer(
        session, actor=Actor.system(), data=CustomerCreate(name=_("Withheld number"))
    )
    call.customer_id = customer.id
    ticket = tickets.open_ticket(
        session,
        subject=subject_of(call),
        requester_id=customer.id,
        channel="phone",
        created_at=call.started_at,
    )
    message = receive_customer_message(
        session,
        ticket,
        customer_id=customer.id,
        body_text=summary_of(call),
        channel="phone",
        source_id=source_id(call),
        details={"call_id": call.id},
        created_at=call.started_at,
    )
    call.ticket_id = ticket.id
    call.message_id = message.id
    session.flush()


def _place_outbound(session: Session, call: Call) -> None:
    assert call.customer_id is not None
    hint = _ticket_to_continue(session, call)
    if hint is not None:
        ticket = tickets.get_ticket(session, hint)
    else:
        ticket = tickets.open_ticket(
            session,
            subject=subject_of(call),
            requester_id=call.customer_id,
            channel="phone",
            status=Status.OPEN,
            created_at=call.started_at,
        )
    message = record_message(
        session,
        ticket,
        kind="reply",
        author_type="agent",
        author_agent_id=call.agent_id,
        body_text=summary_of(call),
        channel="phone",
        source_id=source_id(call),
        details={"call_id": call.id},
    )
    call.ticket_id = ticket.id
    call.message_id = message.id
    session.flush()


def _ticket_to_continue(session: Session, call: Call) -> int | None:
    """Answered and outgoing calls: the customer's most recently active unsolved ticket.
    Missed calls and voicemails open a ticket of their own, except that missed calls in a row
    (a phone ticket still new) stay on one ticket."""
    assert call.customer_id is not None
    recent = tickets.recent_tickets_of(
        session, call.customer_id, since=call.started_at - CONTINUE_WINDOW
    )
    for ticket in recent:
        if call.outcome == "answered" or call.direction == "outbound":
            if ticket.status in UNSOLVED:
                return ticket.id
        elif ticket.status == Status.NEW and ticket.channel == "phone":
            return ticket.id
    return None


def subject_of(call: Call) -> str:
    party = call.from_number if call.direction == "inbound" else call.to_number
    number = display(party) if party.startswith("+") else _("a withheld number")
    if call.direction == "outbound":
        return _("Call to %(number)s", number=number)
    if call.outcome == "voicemail":
        return _("Voicemail from %(number)s", number=number)
    if call.outcome == "missed":
        return _("Missed call from %(number)s", number=number)
    return _("Call from %(number)s", number=number)


def summary_of(call: Call) -> str:
    """The message text (what search and notifications see); the card shows the rest."""
    parts: list[Any] = [subject_of(call)]
    if call.outcome == "answered" and call.duration_seconds:
        parts.append(_("duration %(duration)s", duration=duration_text(call.duration_seconds)))
    text = ", ".join(str(p) for p in parts)
    if call.voicemail_transcript:
        text += "\n\n" + call.voicemail_transcript
    if call.notes:
        text += "\n\n" + call.notes
    return text


def duration_text(seconds: int | None) -> str:
    if seconds is None:
        return ""
    hours, rest = divmod(max(0, int(seconds)), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
