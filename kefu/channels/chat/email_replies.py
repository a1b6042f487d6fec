"""A reply to a chat whose shopper has gone leaves by email.

"Gone" is a chat that has ended — closed by the shopper, by an agent, or left behind when
the shopper came back later with a new chat. While the chat is waiting or active, a reply
goes to the widget only (kefu.channels.chat.replies), even if the shopper's socket is closed
for a moment: the widget fetches what it missed when it reconnects. Once it has ended, the
shopper's email address — their customer's address (pre-chat form or the store's signed
identity), else the address they gave the widget (pre-chat, transcript) — receives the reply
through the email channel's outbound path (kefu.channels.email.by_email), once. With no
address known the composer says so before the agent sends (`composer_context`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.channels.chat.models import Chat, ChatVisitor
from kefu.channels.email.by_email import email_of, send_by_email
from kefu.customers import service as customers
from kefu.customers.schemas import IdentityIn
from kefu.errors import Conflict, InvalidInput
from kefu.kit.actor import Actor
from kefu.tickets import service as tickets
from kefu.tickets.messages import get_message
from kefu.tickets.panels import PanelTicket

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Reach:
    """Where an agent's reply on a chat ticket goes now: "widget" (the chat is open) or
    "email" (to `email`, None when the shopper left no address)."""

    chat_id: int
    via: str
    email: str | None


def _latest_chat(session: Session, ticket_id: int) -> Chat | None:
    return session.scalar(
        select(Chat).where(Chat.ticket_id == ticket_id).order_by(Chat.id.desc()).limit(1)
    )


def _given_address(session: Session, chat: Chat) -> str | None:
    """The address the shopper typed into the widget (pre-chat, transcript request)."""
    visitor = session.get(ChatVisitor, chat.visitor_id)
    given = (chat.prechat or {}).get("email") or (visitor.email if visitor else None)
    return (given or chat.transcript_to or "").strip().lower() or None


def reach_of(session: Session, ticket_id: int, requester_id: int) -> Reach | None:
    """How a reply on this ticket reaches the shopper (None: the ticket has no chat)."""
    chat = _latest_chat(session, ticket_id)
    if chat is None:
        return None
    if chat.status != "ended":
        return Reach(chat.id, "widget", None)
    return Reach(chat.id, "email", email_of(session, requester_id) or _given_address(session, chat))


def _adopt_address(session: Session, customer_id: int, address: str) -> bool:
    """Make the address the shopper gave the widget their customer's, so the reply (and the
    answer to it) has a customer address; False when another customer owns it."""
    try:
        customers.add_identity(
            session,
            actor=Actor.system(),
            customer_id=customer_id,
            data=IdentityIn(kind="email", value=address),
        )
    except (Conflict, InvalidInput) as exc:
        log.info("customer %s: chat address not adopted: %s", customer_id, exc.message)
        return False
    return True


def email_for_reply(session: Session, message_id: int) -> str | None:
    """The address an agent's reply on a chat ticket goes to: None while the chat is open,
    for anything but such a reply, or when the shopper left no address."""
    message = get_message(session, message_id)
    if message.kind != "reply" or message.author_type != "agent" or message.channel != "chat":
        return None
    ticket = tickets.get_ticket(session, message.ticket_id, include_deleted=True)
    reach = reach_of(session, ticket.id, ticket.requester_id)
    if reach is None or reach.via != "email":
        return None
    if reach.email is None:
        log.info("ticket %s: the chat ended and no email is known; reply kept", ticket.id)
    return reach.email


def reply_by_email(session: Session, *, message_id: int, mail_from: str) -> bool:
    """Email an agent's reply on a chat ticket whose chat has ended; False when it does not
    leave by email (see `email_for_reply`)."""
    address = email_for_reply(session, message_id)
    if address is None:
        return False
    ticket = tickets.get_ticket(
        session, get_message(session, message_id).ticket_id, include_deleted=True
    )
    if email_of(session, ticket.requester_id) is None and not _adopt_address(
        session, ticket.requester_id, address
    ):
        return False
    sent = send_by_email(session, message_id=message_id, from_channel="chat", mail_from=mail_from)
    return sent is not None


def composer_context(session: Session, actor: Actor, ticket: PanelTicket) -> dict[str, Any] | None:
    """Above a chat ticket's composer once its chat has ended: where the reply will go."""
    if ticket.channel != "chat":
        return None
    reach = reach_of(session, ticket.id, ticket.requester_id)
    if reach is None or reach.via != "email":
        return None
    return {"email": reach.email}
