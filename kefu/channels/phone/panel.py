"""The phone's parts of the ticket page: the call cards in the conversation and the side
panel with the customer's numbers (tel: links) and the "Log a call" form."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.channels.phone import service
from kefu.channels.phone.numbers import display
from kefu.channels.phone.placement import duration_text
from kefu.channels.phone.schemas import DIRECTION_LABELS, DISPOSITIONS, OUTCOME_LABELS
from kefu.customers import service as customers
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.permissions import can
from kefu.tickets.panels import PanelTicket
from kefu.tickets.schemas import Status


def call_cards(
    session: Session, actor: Actor, ticket: PanelTicket, message_ids: list[int]
) -> dict[int, dict[str, Any]]:
    calls = service.calls_by_message(session, message_ids)
    if not calls:
        return {}
    agents = accounts.agents_by_ids(session, [c.agent_id for c in calls.values()])
    cards = {}
    for message_id, call in calls.items():
        number = call.from_number if call.direction == "inbound" else call.to_number
        agent = agents.get(call.agent_id) if call.agent_id else None
        outcome = call.outcome or ""
        if call.direction == "outbound" and outcome == "missed":
            outcome_label = _("Not answered")
        else:
            outcome_label = _(OUTCOME_LABELS[outcome]) if outcome in OUTCOME_LABELS else ""
        cards[message_id] = {
            "call": call,
            "message_id": message_id,
            "number": number,
            "number_shown": display(number)
            if number.startswith(("+", "client:", "sip:"))
            else _("Withheld"),
            "is_dialable": number.startswith("+"),
            "direction_label": _(DIRECTION_LABELS[call.direction]),
            "outcome_label": outcome_label,
            "agent_name": agent.name if agent is not None else None,
            "duration": duration_text(call.duration_seconds) if call.duration_seconds else "",
            "recording_duration": duration_text(call.recording_seconds)
            if call.recording_seconds
            else "",
            "disposition_label": _(DISPOSITIONS[call.disposition])
            if call.disposition in DISPOSITIONS
            else call.disposition,
            "is_logged": call.provider == "manual",
        }
    return cards


def phone_panel(session: Session, actor: Actor, ticket: PanelTicket) -> dict[str, Any] | None:
    if not can(actor, "tickets.read"):
        return None
    identities = customers.identities_of(session, [ticket.requester_id])[ticket.requester_id]
    numbers = [i.value for i in identities if i.kind == "phone"]
    editable = (
        ticket.status != Status.CLOSED
        and ticket.merged_into_id is None
        and ticket.deleted_at is None
    )
    return {
        "ticket": ticket,
        "numbers": [{"value": n, "shown": display(n)} for n in numbers],
        "calls": len(service.calls_of_ticket(session, ticket.id)),
        "can_log": editable and can(actor, "tickets.reply"),
        "dispositions": {k: _(v) for k, v in DISPOSITIONS.items()},
    }


def composer_hint(session: Session, actor: Actor, ticket: PanelTicket) -> dict[str, Any] | None:
    """On a phone ticket, the composer says where a written reply goes (by email to the
    customer's address, or nowhere: it is kept on the ticket) and offers the call back."""
    if ticket.channel != "phone":
        return None
    identities = customers.identities_of(session, [ticket.requester_id])[ticket.requester_id]
    numbers = [i.value for i in identities if i.kind == "phone"]
    emails = [i.value for i in identities if i.kind == "email"]
    return {
        "number": numbers[0] if numbers else None,
        "shown": display(numbers[0]) if numbers else "",
        "email": emails[0] if emails else None,
    }
