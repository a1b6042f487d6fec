"""Messages on tickets: agents' replies and internal notes, and the shared recording step
that customer messages from ingest go through as well."""

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.errors import InvalidInput, NotFound
from kefu.events import emit
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.kit.sanitize import html_to_text, sanitize_html
from kefu.permissions import require
from kefu.tickets.models import Attachment, Message, Ticket
from kefu.tickets.schemas import AttachmentIn, MessageCreate, Status
from kefu.tickets.service import (
    add_cc,
    apply_status,
    check_solvable,
    editable_ticket,
    record_update,
)


def record_message(
    session: Session,
    ticket: Ticket,
    *,
    kind: str,
    author_type: str,
    body_text: str = "",
    body_html: str | None = None,
    author_agent_id: int | None = None,
    author_customer_id: int | None = None,
    channel: str = "web",
    source_id: str | None = None,
    attachments: list[AttachmentIn] | None = None,
    mentions: list[int] | None = None,
    details: dict[str, Any] | None = None,
    created_at: datetime | None = None,
) -> Message:
    """Store a message with its attachments, move the ticket's clock and emit
    `message.added`. HTML is sanitized here, so no caller can store it raw."""
    text, clean_html = message_bodies(body_text, body_html)
    now = created_at or utcnow()
    message = Message(
        ticket_id=ticket.id,
        kind=kind,
        author_type=author_type,
        author_agent_id=author_agent_id,
        author_customer_id=author_customer_id,
        body_text=text,
        body_html=clean_html,
        channel=channel,
        source_id=source_id,
        details={**(details or {}), **({"mentions": mentions} if mentions else {})},
        created_at=now,
    )
    session.add(message)
    ticket.message_count = (ticket.message_count or 0) + 1
    ticket.last_message_at = now
    ticket.updated_at = utcnow()
    session.flush()  # the message and the ticket's clock in one flush
    for item in attachments or []:
        session.add(
            Attachment(
                message_id=message.id,
                filename=item.filename,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
                content_id=item.content_id,
                is_inline=item.is_inline,
            )
        )
    emit(
        session,
        "message.added",
        subject_type="ticket",
        subject_id=ticket.id,
        payload=message_added_payload(message, mentions=mentions, assignee_id=ticket.assignee_id),
    )
    return message


def message_bodies(body_text: str, body_html: str | None) -> tuple[str, str | None]:
    """The text and sanitized HTML a message is stored with (text derived from HTML-only)."""
    clean_html = sanitize_html(body_html) if body_html and body_html.strip() else None
    text = body_text if body_text.strip() or clean_html is None else html_to_text(clean_html)
    return text, clean_html


def message_added_payload(
    message: Any, *, mentions: list[int] | None, assignee_id: int | None
) -> dict[str, Any]:
    """What `message.added` says of a stored message (a Message or a row with its columns)."""
    return {
        "message_id": message.id,
        "kind": message.kind,
        "author_type": message.author_type,
        "author_agent_id": message.author_agent_id,
        "author_customer_id": message.author_customer_id,
        "mentions": mentions or [],
        "assignee_id": assignee_id,
        "channel": message.channel,
    }


def add_message(session: Session, *, actor: Actor, ticket_id: int, data: MessageCreate) -> Message:
    """An agent's public reply or internal note, optionally setting the status with it.

    A reply on a new ticket opens it; light agents may only write notes; only notes mention."""
    require(actor, "tickets.note" if data.kind == "note" else "tickets.reply")
    if data.status is not None:
        require(actor, "tickets.update")
    ticket = editable_ticket(session, ticket_id)
    if data.mentions and data.kind != "note":
        raise InvalidInput("mentions are for internal notes; a reply goes to the customer")
    mentions = sorted(set(data.mentions))
    for agent_id in mentions:
        if not accounts.get_agent(session, agent_id).is_active:
            raise InvalidInput(f"agent {agent_id} is deactivated and cannot be mentioned")
    if data.status == Status.SOLVED:
        check_solvable(session, ticket)
    message = record_message(
        session,
        ticket,
        kind=data.kind,
        author_type="agent" if actor.agent_id is not None else "system",
        author_agent_id=actor.agent_id,
        body_text=data.body_text,
        body_html=data.body_html,
        channel=ticket.channel if data.kind == "reply" else "web",
        attachments=data.attachments,
        mentions=mentions,
    )
    changes: dict[str, list[Any]] = {}
    if data.status is not None:
        apply_status(ticket, data.status, changes)
    elif data.kind == "reply" and ticket.status == Status.NEW:
        apply_status(ticket, Status.OPEN, changes)
    record_update(session, ticket, changes, actor=actor)
    return message


def receive_customer_message(
    session: Session,
    ticket: Ticket,
    *,
    customer_id: int,
    reopen: bool = True,
    **message: Any,
) -> Message:
    """A customer wrote on an existing ticket: store it and bring the ticket back to the
    agents (pending, on-hold and solved become open; not for an auto-reply, `reopen=False`).
    CCs who write become CCs for good."""
    if customer_id != ticket.requester_id:
        add_cc(session, ticket, customer_id)
    stored = record_message(
        session,
        ticket,
        kind="reply",
        author_type="customer",
        author_customer_id=customer_id,
        **message,
    )
    changes: dict[str, list[Any]] = {}
    if reopen and ticket.status in (Status.PENDING, Status.ON_HOLD, Status.SOLVED):
        apply_status(ticket, Status.OPEN, changes)
    record_update(session, ticket, changes)
    return stored


def list_messages(session: Session, ticket_id: int) -> list[Message]:
    return list(
        session.scalars(select(Message).where(Message.ticket_id == ticket_id).order_by(Message.id))
    )


def attachments_of(session: Session, message_ids: list[int]) -> dict[int, list[Attachment]]:
    result: dict[int, list[Attachment]] = {mid: [] for mid in message_ids}
    if message_ids:
        rows = session.scalars(
            select(Attachment).where(Attachment.message_id.in_(message_ids)).order_by(Attachment.id)
        )
        for attachment in rows:
            result[attachment.message_id].append(attachment)
    return result


def get_attachment(session: Session, *, actor: Actor, attachment_id: int) -> Attachment:
    require(actor, "tickets.read")
    attachment = session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(f"attachment {attachment_id} not found")
    return attachment


def find_by_source(session: Session, channel: str, source_ids: list[str]) -> list[Message]:
    """Messages with any of these source ids on a channel (threading and idempotency)."""
    if not source_ids:
        return []
    return list(
        session.scalars(
            select(Message).where(Message.channel == channel, Message.source_id.in_(source_ids))
        )
    )


def get_message(session: Session, message_id: int) -> Message:
    message = session.get(Message, message_id)
    if message is None:
        raise NotFound(f"message {message_id} not found")
    return message


def set_source_id(session: Session, message: Message, source_id: str) -> None:
    """Give an outgoing message the id its channel knows it by (an email's Message-ID), so
    the answers that reference it thread back to its ticket."""
    message.source_id = source_id
    session.flush()


def set_delivery(session: Session, message_id: int, **delivery: Any) -> None:
    """What happened to a reply on its way out (status "sending" | "sent" | "failed", error),
    kept on the message so the conversation shows it without knowing the channel."""
    message = get_message(session, message_id)
    message.details = {**(message.details or {}), "delivery": delivery}
    session.flush()
