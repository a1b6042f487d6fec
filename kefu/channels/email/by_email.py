"""Agents' replies written on another channel that leave by email: a reply on a chat whose
shopper has gone, a written reply on a phone ticket.

The other channel decides (in its `message.added` handler) that the reply cannot reach the
customer its own way; `send_by_email` then turns the message into an email reply and hands
it to the email channel's one outbound path (kefu.channels.email.outbound.queue_reply): the
same mailbox choice, threading headers and exactly-once sending as a reply on an email
ticket. The message's channel becomes "email" — the conversation shows it was sent by email,
and the customer's answer threads back onto the ticket by its Message-ID."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.channels.email.models import OutboundEmail
from kefu.channels.email.outbound import queue_reply
from kefu.customers import service as customers
from kefu.tickets import service as tickets
from kefu.tickets.messages import get_message


def email_of(session: Session, customer_id: int | None) -> str | None:
    """The customer's email address (their primary one first), or None."""
    if customer_id is None:
        return None
    identities = customers.identities_of(session, [customer_id]).get(customer_id, [])
    emails = sorted((i for i in identities if i.kind == "email"), key=lambda i: not i.is_primary)
    return emails[0].value if emails else None


def can_send_by_email(session: Session, *, message_id: int, from_channel: str) -> bool:
    """Whether `send_by_email` would mail this message (an agent's reply written on
    `from_channel`, not yet delivered, to a customer with an address)."""
    message = get_message(session, message_id)
    if (
        message.kind != "reply"
        or message.author_type != "agent"
        or message.channel != from_channel
        or message.source_id is not None  # a logged call, or something with its own id
    ):
        return False
    ticket = tickets.get_ticket(session, message.ticket_id, include_deleted=True)
    return email_of(session, ticket.requester_id) is not None


def send_by_email(
    session: Session, *, message_id: int, from_channel: str, mail_from: str
) -> OutboundEmail | None:
    """Queue an agent's reply written on `from_channel` as an email to the ticket's customer
    (None when it is not such a reply, e.g. a logged call, or the customer has no address).
    Idempotent on the message: a redelivered event finds the first delivery record."""
    existing = session.scalar(select(OutboundEmail).where(OutboundEmail.message_id == message_id))
    if existing is not None:
        return existing
    if not can_send_by_email(session, message_id=message_id, from_channel=from_channel):
        return None  # e.g. nobody to mail: the reply stays on the ticket, as the composer said
    message = get_message(session, message_id)
    message.channel = "email"
    message.details = {**(message.details or {}), "written_on": from_channel}
    session.flush()
    return queue_reply(session, message_id, mail_from=mail_from)
