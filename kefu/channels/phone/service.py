"""Calls: created and updated from the provider's callbacks (idempotent on the provider's call
id), read for the ticket's conversation, and the events analytics counts them by."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.channels.phone.models import Call, PhoneLine
from kefu.channels.phone.numbers import maybe_e164, region_of
from kefu.customers import service as customers
from kefu.events import emit

log = logging.getLogger(__name__)

FINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "canceled", "failed"})
UNANSWERED_STATUSES = frozenset({"busy", "no-answer", "canceled", "failed"})


@dataclass(frozen=True)
class CallUpdate:
    """What one provider callback says about a call, in the provider's own words for status
    (a None says nothing about that field)."""

    provider: str
    provider_call_id: str
    at: datetime
    direction: str | None = None  # inbound | outbound
    from_number: str | None = None
    to_number: str | None = None
    caller_name: str | None = None
    status: str | None = None
    duration_seconds: int | None = None
    answered: bool | None = None  # the forwarded leg was (not) picked up
    talk_seconds: int | None = None  # how long the forwarded leg talked (DialCallDuration)
    recording_url: str | None = None
    recording_seconds: int | None = None
    transcript: str | None = None
    routed: bool = False  # kefu answered this request with its own call flow


def find_call(session: Session, provider: str, provider_call_id: str) -> Call | None:
    return session.scalar(
        select(Call).where(Call.provider == provider, Call.provider_call_id == provider_call_id)
    )


def get_call(session: Session, call_id: int) -> Call:
    from kefu.errors import NotFound

    call = session.get(Call, call_id)
    if call is None:
        raise NotFound(f"call {call_id} not found")
    return call


def calls_by_message(session: Session, message_ids: list[int]) -> dict[int, Call]:
    if not message_ids:
        return {}
    rows = session.scalars(select(Call).where(Call.message_id.in_(message_ids)))
    return {c.message_id: c for c in rows if c.message_id is not None}


def calls_of_ticket(session: Session, ticket_id: int) -> list[Call]:
    return list(session.scalars(select(Call).where(Call.ticket_id == ticket_id).order_by(Call.id)))


def move_customer(session: Session, source_id: int, target_id: int) -> None:
    """Customer merge hook: the source customer's calls follow them."""
    session.execute(update(Call).where(Call.customer_id == source_id).values(customer_id=target_id))


def apply_update(session: Session, *, line: PhoneLine, update: CallUpdate) -> Call:
    """Create the call on its first callback or bring it up to date; a replayed callback
    changes nothing and emits nothing. Once the call has ended (or left a voicemail) it is
    written into a ticket's conversation (kefu.channels.phone.placement)."""
    from kefu.channels.phone.placement import place_call

    call = find_call(session, update.provider, update.provider_call_id)
    if call is None:
        call = _insert(session, line=line, update=update)
    before = (call.answered_at, call.ended_at, call.recording_url)
    _merge(call, update)
    session.flush()
    line.last_call_at = max(line.last_call_at or update.at, update.at)
    # Placed first, so the events name the ticket the call is on (triggers act on it).
    if call.message_id is None and (call.ended_at is not None or call.outcome == "voicemail"):
        place_call(session, call=call, line=line)
    if call.answered_at is not None and before[0] is None:
        _emit(session, "call.answered", call)
    if call.ended_at is not None and before[1] is None:
        _emit(session, "call.ended", call)
    if call.recording_url and not before[2] and call.outcome == "voicemail":
        _emit(session, "call.voicemail", call)
    return call


def _insert(session: Session, *, line: PhoneLine, update: CallUpdate) -> Call:
    if not update.from_number or not update.to_number:
        from kefu.errors import InvalidInput

        raise InvalidInput("the first callback of a call needs its From and To")
    region = region_of(line.number)
    direction = update.direction or "inbound"
    raw_from, raw_to = update.from_number.strip(), update.to_number.strip()
    customer_side = raw_from if direction == "inbound" else raw_to
    agent_side = raw_to if direction == "inbound" else raw_from
    number = maybe_e164(customer_side, region=region)
    for attempt in (1, 2):
        try:
            with session.begin_nested():
                customer = (
                    customers.identify(session, phone=number, name=update.caller_name)
                    if number
                    else None
                )
                call = Call(
                    provider=update.provider,
                    provider_call_id=update.provider_call_id,
                    line_id=line.id,
                    direction=direction,
                    from_number=maybe_e164(raw_from, region=region) or raw_from[:40],
                    to_number=maybe_e164(raw_to, region=region) or raw_to[:40],
                    customer_id=customer.id if customer else None,
                    agent_id=_softphone_agent(session, agent_side),
                    team_id=line.team_id,
                    status=update.status or "ringing",
                    started_at=update.at,
                    notes="",
                )
                session.add(call)
                session.flush()
            break
        except IntegrityError:
            # Another process stored this call (the provider's callbacks raced each other),
            # or this caller as a new customer, meanwhile: use theirs.
            existing = find_call(session, update.provider, update.provider_call_id)
            if existing is not None:
                return existing
            if attempt == 2:
                raise
            log.info("call %s: retry after a concurrent insert", update.provider_call_id)
    _emit(session, "call.started", call)
    return call


def _softphone_agent(session: Session, party: str) -> int | None:
    """A browser softphone's party is "client:<identity>": kefu reads the identity as the
    agent's email address."""
    if not party.lower().startswith("client:"):
        return None
    agent = accounts.find_agent_by_email(session, party.split(":", 1)[1].strip())
    return agent.id if agent is not None else None


def _merge(call: Call, update: CallUpdate) -> None:
    if update.routed:
        call.is_routed = True
    if update.status and not (
        call.status in FINAL_STATUSES and update.status not in FINAL_STATUSES
    ):
        call.status = update.status
    # With kefu's own call flow the provider reports "in-progress" as soon as that flow
    # answers, before any person picked up: then only the dial's result says "answered".
    if update.answered is True and call.answered_at is None:
        # The dial's result comes when the forwarded leg hangs up: it was picked up its
        # talk time earlier.
        call.answered_at = _not_before(
            call, update.at - timedelta(seconds=update.talk_seconds or 0)
        )
    elif update.status == "in-progress" and not call.is_routed and call.answered_at is None:
        call.answered_at = update.at
    if update.status in FINAL_STATUSES and call.ended_at is None:
        call.ended_at = update.at
        if (
            call.answered_at is None
            and not call.is_routed
            and update.status == "completed"
            and (update.duration_seconds or 0) > 0
        ):
            # Only a final status callback came: a completed call with talk time was answered
            # (that long before it ended).
            call.answered_at = _not_before(
                call, update.at - timedelta(seconds=update.duration_seconds or 0)
            )
    if update.duration_seconds is not None and (
        call.duration_seconds is None or update.status in FINAL_STATUSES
    ):
        call.duration_seconds = update.duration_seconds
    if update.recording_url:
        call.recording_url = update.recording_url
        call.recording_seconds = update.recording_seconds
    if update.transcript is not None:
        call.voicemail_transcript = update.transcript.strip()[:20_000]
    call.outcome = _outcome(call)


def _not_before(call: Call, moment: datetime) -> datetime:
    return max(moment, call.started_at)


def _outcome(call: Call) -> str | None:
    if call.answered_at is not None:
        return "answered"
    if call.recording_url:
        return "voicemail"
    if call.ended_at is not None:
        return "missed"
    return None


def _emit(session: Session, event_type: str, call: Call) -> None:
    emit(
        session,
        event_type,
        subject_type="call",
        subject_id=call.id,
        payload=call_payload(call),
    )


def call_payload(call: Call) -> dict[str, object]:
    return {
        "provider": call.provider,
        "direction": call.direction,
        "outcome": call.outcome,
        "line_id": call.line_id,
        "customer_id": call.customer_id,
        "agent_id": call.agent_id,
        "team_id": call.team_id,
        "ticket_id": call.ticket_id,
        "duration_seconds": call.duration_seconds,
        "wait_seconds": _seconds(call.answered_at - call.started_at) if call.answered_at else None,
        "disposition": call.disposition,
        "line_number": call.to_number if call.direction == "inbound" else call.from_number,
    }


def _seconds(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds()))
