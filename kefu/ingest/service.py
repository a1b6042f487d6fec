"""Ingest: identify the customer, find or open the ticket, store the message, emit events.

Everything happens in the caller's transaction, so the source may be acknowledged (IMAP flag,
HTTP 2xx, websocket ack) only after commit. Idempotent on (channel, source_id): a message seen
before returns its first copy, also when two processes race on it."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kefu.customers import service as customers
from kefu.errors import NotFound
from kefu.ingest.schemas import InboundMessage, IngestResult
from kefu.kit.actor import Actor
from kefu.kit.clock import as_utc, utcnow
from kefu.kit.sanitize import html_to_text
from kefu.kit.subjects import normalize_subject
from kefu.permissions import require
from kefu.tickets import service as tickets
from kefu.tickets.merge import connect
from kefu.tickets.messages import find_by_source, receive_customer_message, record_message
from kefu.tickets.schemas import Status

if TYPE_CHECKING:
    from kefu.customers.models import Customer
    from kefu.tickets.models import Message, Ticket

log = logging.getLogger(__name__)

# How far back a reply without references may find its ticket by subject alone.
SUBJECT_WINDOW = timedelta(days=14)


def ingest(
    session: Session,
    *,
    message: InboundMessage,
    actor: Actor | None = None,
    known_new: bool = False,
) -> IngestResult:
    """Store one inbound customer message. An API caller (actor) needs `tickets.update`;
    channel adapters run as the system. `known_new`: the caller has just looked the source
    id up in this transaction and found no copy, so that lookup is not repeated (a copy
    stored meanwhile by another process still fails the insert and is found then)."""
    if actor is not None:
        require(actor, "tickets.update")
    existing = None if known_new else _first_copy(session, message)
    if existing is not None:
        return existing
    for attempt in (1, 2):
        try:
            with session.begin_nested():
                return _store(session, message)
        except IntegrityError:
            # Another process stored this message, or created this sender, meanwhile.
            existing = _first_copy(session, message)
            if existing is not None:
                return existing
            if attempt == 2:
                raise
            log.info("ingest retry after a concurrent insert (%s)", message.source_id)
    raise AssertionError("unreachable")


def _first_copy(session: Session, message: InboundMessage) -> IngestResult | None:
    found = find_by_source(session, message.channel, [message.source_id])
    if not found:
        return None
    first = found[0]
    ticket = tickets.get_ticket(session, first.ticket_id, include_deleted=True)
    return IngestResult(
        ticket_id=first.ticket_id,
        message_id=first.id,
        customer_id=first.author_customer_id or ticket.requester_id,
        is_new_ticket=False,
        is_duplicate=True,
    )


def _store(session: Session, message: InboundMessage) -> IngestResult:
    if message.sender_agent_id is not None:
        ticket = _thread(session, message, customer=None)
        if ticket is not None and ticket.status != Status.CLOSED:
            return _store_agent_reply(session, message, ticket)
    sender = message.sender
    customer = customers.identify(
        session,
        email=str(sender.email) if sender.email else None,
        phone=sender.phone,
        chat_visitor=sender.chat_visitor,
        store_ref=sender.store_ref,
        name=sender.name,
    )
    ccs = [customers.identify(session, email=str(address)) for address in message.cc_emails]
    ticket = _thread(session, message, customer)
    is_new = ticket is None or ticket.status == Status.CLOSED
    if is_new:
        ticket = _open_for(session, message, customer, follow_up_of=ticket)
    assert ticket is not None
    stored = receive_customer_message(
        session,
        ticket,
        customer_id=customer.id,
        reopen=not message.is_automated,
        **_content(message),
    )
    for cc in ccs:
        if cc.id != customer.id:
            tickets.add_cc(session, ticket, cc.id)
    return IngestResult(
        ticket_id=ticket.id,
        message_id=stored.id,
        customer_id=customer.id,
        is_new_ticket=is_new,
        is_duplicate=False,
    )


def _content(message: InboundMessage) -> dict[str, Any]:
    return {
        "body_text": message.body_text,
        "body_html": message.body_html,
        "channel": message.channel,
        "source_id": message.source_id,
        "attachments": message.attachments,
        "details": {**message.details, **({"automated": True} if message.is_automated else {})},
        "created_at": as_utc(message.received_at) if message.received_at else None,
    }


def _store_agent_reply(session: Session, message: InboundMessage, ticket: Ticket) -> IngestResult:
    """An agent answered from their own mail client (the customer already has it): keep it
    on the ticket as that agent's reply, without sending it again."""
    stored = record_message(
        session,
        ticket,
        kind="reply",
        author_type="agent",
        author_agent_id=message.sender_agent_id,
        **_content(message),
    )
    if ticket.status == Status.NEW:
        changes: dict[str, list[Any]] = {}
        tickets.apply_status(ticket, Status.OPEN, changes)
        tickets.record_update(session, ticket, changes)
    return IngestResult(
        ticket_id=ticket.id,
        message_id=stored.id,
        customer_id=ticket.requester_id,
        is_new_ticket=False,
        is_duplicate=False,
    )


def _thread(session: Session, message: InboundMessage, customer: Customer | None) -> Ticket | None:
    """The ticket this message continues, or None for a new one. In order: the newest ticket
    holding a message it references; the direct hint (a subject token) when the sender is on
    that ticket; then, if asked, the sender's recent ticket with the same subject. A hint is
    never trusted alone, so two customers writing "Where is my order?" stay apart."""
    referenced: list[Message] = find_by_source(session, message.channel, message.references)
    for earlier in sorted(referenced, key=lambda m: m.id, reverse=True):
        ticket = _live(session, earlier.ticket_id)
        if ticket is not None:
            return ticket
    if message.ticket_id is not None:
        ticket = _live(session, message.ticket_id)
        if ticket is not None and (
            customer is None or customer.id in _participants(session, ticket)
        ):
            return ticket
    if message.thread_by_subject and customer is not None and message.subject.strip():
        return _same_subject(session, message, customer)
    return None


def _same_subject(session: Session, message: InboundMessage, customer: Customer) -> Ticket | None:
    wanted = normalize_subject(message.subject)
    if not wanted:
        return None
    since = (as_utc(message.received_at) if message.received_at else utcnow()) - SUBJECT_WINDOW
    for ticket in tickets.recent_tickets_of(session, customer.id, since=since):
        if ticket.status != Status.CLOSED and normalize_subject(ticket.subject) == wanted:
            return ticket
    return None


def _live(session: Session, ticket_id: int) -> Ticket | None:
    """The ticket, following merges; None if it does not exist or was deleted."""
    try:
        ticket = tickets.get_ticket(session, ticket_id)
    except NotFound:
        return None
    seen = {ticket.id}
    while ticket.merged_into_id is not None and ticket.merged_into_id not in seen:
        seen.add(ticket.merged_into_id)
        try:
            ticket = tickets.get_ticket(session, ticket.merged_into_id)
        except NotFound:
            return None
    return ticket


def _participants(session: Session, ticket: Ticket) -> set[int]:
    return {ticket.requester_id, *tickets.ccs_of(session, ticket.id)}


def _open_for(
    session: Session, message: InboundMessage, customer: Customer, *, follow_up_of: Ticket | None
) -> Ticket:
    subject = message.subject.strip() or subject_from(message)
    ticket = tickets.open_ticket(
        session,
        subject=subject,
        requester_id=customer.id,
        channel=message.channel,
        store_id=message.store_id
        if message.store_id is not None or follow_up_of is None
        else follow_up_of.store_id,
        tags=message.tags or None,
        priority=message.priority or "normal",
    )
    if follow_up_of is not None:
        connect(session, follow_up_of, ticket, actor=Actor.system())
    return ticket


def subject_from(message: InboundMessage) -> str:
    text = " ".join(message.body_text.split())
    if not text and message.body_html:
        text = " ".join(html_to_text(message.body_html).split())
    return (text[:77] + "…") if len(text) > 80 else (text or "(no subject)")
