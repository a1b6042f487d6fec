"""Building the email of an agent's reply: headers that thread in every client, text and
HTML parts, the agent's signature, a short quote of what the customer wrote, attachments."""

from __future__ import annotations

import html
import secrets
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import TYPE_CHECKING

from kefu.kit.subjects import normalize_subject, ticket_token

if TYPE_CHECKING:
    from datetime import datetime

    from kefu.kit.filestore import FileStore

# References keeps the thread's first message and the newest ones (RFC 5322 3.6.4 allows
# trimming; clients thread on the first and the last).
MAX_REFERENCES = 20


@dataclass(slots=True)
class Attached:
    filename: str
    content_type: str
    sha256: str
    content_id: str | None = None
    is_inline: bool = False


@dataclass(slots=True)
class Reply:
    """Everything the email of one reply is made of (plain values, read in one transaction)."""

    ticket_id: int
    subject: str
    from_address: str
    from_name: str
    to: list[str]
    cc: list[str]
    body_text: str
    body_html: str | None
    signature: str
    thread_ids: list[str]  # Message-IDs of the ticket's earlier mails, oldest first
    in_reply_to: str | None
    quote_author: str | None
    quote_at: datetime | None
    quote_text: str | None
    attachments: list[Attached]
    sent_at: datetime
    # RFC 3834 "auto-replied" for what a rule wrote on its own, so the other side's
    # auto-responder stays quiet (and ours never answers theirs).
    auto_submitted: str | None = None


def new_message_id(address: str, *, ticket_id: int, message_id: int) -> str:
    """`kefu.<ticket>.<message>.<random>@<mailbox domain>` (without angle brackets): ours
    by its shape, unique across instances by the random part."""
    domain = address.rpartition("@")[2] or "kefu.invalid"
    return f"kefu.{ticket_id}.{message_id}.{secrets.token_hex(6)}@{domain}"


def reply_subject(subject: str, ticket_id: int) -> str:
    token = ticket_token(ticket_id)
    base = subject.replace(token, "").strip() or "(no subject)"
    if normalize_subject(base) == " ".join(base.split()).casefold():  # no Re: yet
        base = f"Re: {base}"
    return f"{base} {token}"


def build_reply(reply: Reply, *, rfc_message_id: str, files: FileStore) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((reply.from_name, reply.from_address))
    message["To"] = ", ".join(reply.to)
    if reply.cc:
        message["Cc"] = ", ".join(reply.cc)
    message["Reply-To"] = reply.from_address
    message["Subject"] = reply_subject(reply.subject, reply.ticket_id)
    message["Date"] = format_datetime(reply.sent_at)
    message["Message-ID"] = f"<{rfc_message_id}>"
    if reply.in_reply_to:
        message["In-Reply-To"] = f"<{reply.in_reply_to}>"
    references = _trimmed(reply.thread_ids)
    if references:
        message["References"] = " ".join(f"<{ref}>" for ref in references)
    message["X-Kefu-Outbound"] = "1"
    message["X-Kefu-Ticket"] = str(reply.ticket_id)
    if reply.auto_submitted:
        message["Auto-Submitted"] = reply.auto_submitted
    message.set_content(_text_body(reply))
    message.add_alternative(_html_body(reply), subtype="html")
    for item in reply.attachments:
        maintype, _, subtype = item.content_type.partition("/")
        message.add_attachment(
            files.read(item.sha256),
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=item.filename,
        )
    return message


def _trimmed(ids: list[str]) -> list[str]:
    unique = list(dict.fromkeys(i for i in ids if i))
    if len(unique) <= MAX_REFERENCES:
        return unique
    return [unique[0], *unique[-(MAX_REFERENCES - 1) :]]


def _quote_header(reply: Reply) -> str | None:
    if not reply.quote_text or not reply.quote_text.strip():
        return None
    when = reply.quote_at.strftime("%Y-%m-%d %H:%M UTC") if reply.quote_at else ""
    who = reply.quote_author or ""
    return f"On {when}, {who} wrote:".replace(" ,", ",").replace("On ,", "On")


def _text_body(reply: Reply) -> str:
    parts = [reply.body_text.rstrip()]
    if reply.signature.strip():
        parts.append("-- \n" + reply.signature.strip())
    header = _quote_header(reply)
    if header and reply.quote_text:
        quoted = "\n".join(f"> {line}".rstrip() for line in reply.quote_text.strip().splitlines())
        parts.append(f"{header}\n{quoted}")
    return "\n\n".join(parts) + "\n"


def _paragraphs(text: str) -> str:
    return "<br>\n".join(html.escape(line) for line in text.splitlines())


def _html_body(reply: Reply) -> str:
    body = reply.body_html or f"<div>{_paragraphs(reply.body_text)}</div>"
    parts = [body]
    if reply.signature.strip():
        parts.append(f'<div class="kefu-signature">-- <br>\n{_paragraphs(reply.signature)}</div>')
    header = _quote_header(reply)
    if header and reply.quote_text:
        parts.append(
            f"<div>{html.escape(header)}</div>"
            f'<blockquote type="cite" style="margin:0 0 0 .8ex;border-left:1px solid #ccc;'
            f'padding-left:1ex">{_paragraphs(reply.quote_text.strip())}</blockquote>'
        )
    return "<!doctype html><html><body>" + "\n".join(parts) + "</body></html>"
