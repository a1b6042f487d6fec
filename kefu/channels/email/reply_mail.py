"""What a reply's email is made of, read from the ticket: who it goes to, from which
mailbox, the thread's Message-IDs, the agent's signature and the customer's last words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.utils import parseaddr
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.channels.email import mailboxes
from kefu.channels.email.compose import Attached, Reply
from kefu.channels.email.models import Mailbox, OutboundEmail
from kefu.channels.email.transport import ServerSettings
from kefu.customers import service as customers
from kefu.errors import InvalidInput
from kefu.tickets import service as tickets
from kefu.tickets.messages import attachments_of, get_message, list_messages, set_source_id

if TYPE_CHECKING:
    from kefu.config import Settings
    from kefu.tickets.models import Message

__all__ = ["NoRecipient", "Plan", "Reply", "plan_for", "reply_for", "smtp_settings"]


class NoRecipient(InvalidInput):
    code = "no_recipient"


class NoMailbox(InvalidInput):
    code = "no_mailbox"


@dataclass(slots=True)
class Plan:
    ticket_id: int
    mailbox_id: int | None
    from_address: str
    recipients: list[str]


def plan_for(session: Session, message_id: int, *, mail_from: str) -> Plan | None:
    """How an agent's reply leaves by email, or None when it does not leave by email."""
    message = get_message(session, message_id)
    if (
        message.kind != "reply"
        or message.author_type != "agent"
        or message.channel != "email"
        or message.source_id is not None  # it came in by email (an agent's own client)
    ):
        return None
    ticket = tickets.get_ticket(session, message.ticket_id, include_deleted=True)
    mailbox = _mailbox_of(session, ticket.id, store_id=ticket.store_id)
    to, cc = _recipients(session, ticket.requester_id, ticket.id)
    return Plan(
        ticket_id=ticket.id,
        mailbox_id=mailbox.id if mailbox else None,
        from_address=mailbox.address if mailbox else _address_of(mail_from),
        recipients=[*to, *cc],
    )


def _mailbox_of(session: Session, ticket_id: int, *, store_id: int | None = None) -> Mailbox | None:
    """The mailbox the customer wrote to, else the ticket's store's first active one (a chat
    or phone ticket), else the first active one."""
    for message in list_messages(session, ticket_id):
        mailbox_id = ((message.details or {}).get("email") or {}).get("mailbox_id")
        if mailbox_id is not None:
            mailbox = session.get(Mailbox, mailbox_id)
            if mailbox is not None and mailbox.is_active:
                return mailbox
    active = select(Mailbox).where(Mailbox.is_active.is_(True)).order_by(Mailbox.id).limit(1)
    if store_id is not None:
        own = session.scalar(active.where(Mailbox.store_id == store_id))
        if own is not None:
            return own
    return session.scalar(active)


def _emails_of(session: Session, customer_ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for customer_id, identities in customers.identities_of(session, customer_ids).items():
        for identity in identities:
            if identity.kind == "email":
                found.setdefault(customer_id, identity.value)
    return found


def _recipients(session: Session, requester_id: int, ticket_id: int) -> tuple[list[str], list[str]]:
    cc_ids = tickets.ccs_of(session, ticket_id)
    emails = _emails_of(session, [requester_id, *cc_ids])
    to = [emails[requester_id]] if requester_id in emails else []
    cc = [emails[c] for c in cc_ids if c in emails and emails[c] not in to]
    return to, cc


def remember_message_id(session: Session, message_id: int, rfc_message_id: str) -> None:
    set_source_id(session, get_message(session, message_id), rfc_message_id)


def ticket_of(session: Session, message_id: int) -> int:
    return get_message(session, message_id).ticket_id


def reply_for(
    session: Session, outbound: OutboundEmail, *, settings: Settings, now: datetime
) -> Reply:
    message = get_message(session, outbound.message_id)
    ticket = tickets.get_ticket(session, message.ticket_id, include_deleted=True)
    mailbox = session.get(Mailbox, outbound.mailbox_id) if outbound.mailbox_id else None
    agent = (
        accounts.get_agent(session, message.author_agent_id) if message.author_agent_id else None
    )
    thread = [m for m in list_messages(session, ticket.id) if m.id < message.id]
    email_ids = [
        m.source_id
        for m in thread
        if m.channel == "email" and m.source_id and _is_mail_id(m.source_id)
    ]
    last_customer = _last_customer_mail(thread)
    to, cc = _recipients(session, ticket.requester_id, ticket.id)
    if not to and not cc:
        raise NoRecipient("the customer has no email address to reply to")
    brand = (mailbox.from_name or mailbox.brand) if mailbox else ""
    name = agent.name if agent else brand
    if agent and brand:
        name = f"{agent.name} ({brand})"
    return Reply(
        ticket_id=ticket.id,
        subject=ticket.subject,
        from_address=mailbox.address if mailbox else _address_of(settings.mail_from),
        from_name=name or "",
        to=to,
        cc=cc,
        body_text=message.body_text,
        body_html=message.body_html,
        signature=(agent.signature or "") if agent else "",
        thread_ids=email_ids,
        in_reply_to=last_customer.source_id
        if last_customer
        else (email_ids[-1] if email_ids else None),
        quote_author=_author_name(session, last_customer),
        quote_at=last_customer.created_at if last_customer else None,
        quote_text=_visible(last_customer),
        attachments=[
            Attached(a.filename, a.content_type, a.sha256, a.content_id, a.is_inline)
            for a in attachments_of(session, [message.id])[message.id]
        ],
        sent_at=now,
        auto_submitted=(message.details or {}).get("auto_submitted"),
    )


def _is_mail_id(source_id: str | None) -> bool:
    return source_id is not None and "@" in source_id and not source_id.startswith("sha256")


def _last_customer_mail(thread: list[Message]) -> Message | None:
    for message in reversed(thread):
        if message.author_type == "customer" and message.kind == "reply":
            return message
    return None


def _visible(message: Message | None) -> str | None:
    if message is None:
        return None
    email = (message.details or {}).get("email") or {}
    return email.get("visible_text") or message.body_text


def _author_name(session: Session, message: Message | None) -> str | None:
    if message is None or message.author_customer_id is None:
        return None
    customer = customers.get_customer(session, message.author_customer_id)
    return customer.name or None


def _address_of(value: str) -> str:
    return parseaddr(value)[1] or "kefu@localhost"


def smtp_settings(
    session: Session, outbound: OutboundEmail, *, settings: Settings, now: datetime
) -> ServerSettings:
    """The mailbox's SMTP server, or KEFU_SMTP_URL when the reply has no mailbox or the
    mailbox only receives."""
    mailbox = session.get(Mailbox, outbound.mailbox_id) if outbound.mailbox_id else None
    if mailbox is not None and mailbox.smtp_host:
        return mailboxes.server_settings(session, mailbox, "smtp", now=now)
    if not settings.smtp_url:
        raise NoMailbox("no mailbox is set up to send email, and KEFU_SMTP_URL is not set")
    parts = urlsplit(settings.smtp_url)
    return ServerSettings(
        host=parts.hostname or "localhost",
        port=parts.port or (465 if parts.scheme == "smtps" else 25),
        security="ssl" if parts.scheme == "smtps" else "opportunistic",
        username=unquote(parts.username or ""),
        secret=unquote(parts.password or ""),
    )
