"""Sending agents' replies by SMTP, exactly once.

An agent's reply on an email ticket gets an OutboundEmail row (with its Message-ID fixed) in
the outbox handler's transaction. The send job then works in three steps, each its own
transaction: take the row (queued → sending), hand the mail to the SMTP server, record the
outcome (sent, or back to queued with a backoff, or failed for good on a 5xx). The outcome is
committed before the job is acknowledged, so a restart never sends a recorded mail again. Only
a crash in the instant between the server's "250" and that commit leaves a row in "sending";
the sweep sends it again with the same Message-ID, which mail clients show once."""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select, update

from kefu.channels.email import reply_mail as replies
from kefu.channels.email.compose import build_reply, new_message_id
from kefu.channels.email.models import OutboundEmail
from kefu.channels.email.transport import ServerSettings, open_smtp
from kefu.errors import Conflict, NotFound
from kefu.events import emit
from kefu.jobs import enqueue_after_commit
from kefu.kit.actor import Actor
from kefu.kit.clock import Clock, utcnow
from kefu.permissions import require
from kefu.tickets.messages import get_message, set_delivery

if TYPE_CHECKING:
    from email.message import EmailMessage

    from sqlalchemy.orm import Session

    from kefu.config import Settings
    from kefu.db import Database
    from kefu.kit.filestore import FileStore

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
BACKOFF_BASE_SECONDS = 30
BACKOFF_MAX_SECONDS = 3600
# A row left in "sending" this long belongs to a process that died mid-send.
STALE_SENDING = timedelta(minutes=10)


def backoff_seconds(attempts: int) -> int:
    return min(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)


def queue_reply(session: Session, message_id: int, *, mail_from: str) -> OutboundEmail | None:
    """The delivery record of an agent's reply on an email ticket (None for anything that
    does not leave by email: notes, chat replies, mail that came in from an agent's client)."""
    existing = session.scalar(select(OutboundEmail).where(OutboundEmail.message_id == message_id))
    if existing is not None:
        return existing
    plan = replies.plan_for(session, message_id, mail_from=mail_from)
    if plan is None:
        return None
    outbound = OutboundEmail(
        message_id=message_id,
        mailbox_id=plan.mailbox_id,
        rfc_message_id=new_message_id(
            plan.from_address, ticket_id=plan.ticket_id, message_id=message_id
        ),
        recipients=plan.recipients,
        status="queued",
        next_attempt_at=utcnow(),
    )
    session.add(outbound)
    session.flush()
    replies.remember_message_id(session, message_id, outbound.rfc_message_id)
    show_delivery(session, outbound)
    enqueue_after_commit(session, "email.send", outbound.id)
    return outbound


def _take(database: Database, outbound_id: int, now: datetime) -> bool:
    with database.unit_of_work() as session:
        taken = session.execute(
            update(OutboundEmail)
            .where(
                OutboundEmail.id == outbound_id,
                OutboundEmail.status == "queued",
                or_(OutboundEmail.next_attempt_at.is_(None), OutboundEmail.next_attempt_at <= now),
            )
            .values(status="sending", sending_started_at=now, attempts=OutboundEmail.attempts + 1)
        )
        return taken.rowcount == 1


def send_outbound(
    database: Database,
    files: FileStore,
    outbound_id: int,
    *,
    settings: Settings,
    clock: Clock = utcnow,
) -> str:
    """Send one queued reply if it is due; returns the row's status afterwards."""
    now = clock()
    if not _take(database, outbound_id, now):
        with database.sessions() as session:
            row = session.get(OutboundEmail, outbound_id)
            return row.status if row is not None else "missing"
    try:
        with database.unit_of_work() as session:
            outbound = session.get_one(OutboundEmail, outbound_id)
            mail = replies.reply_for(session, outbound, settings=settings, now=now)
            server = replies.smtp_settings(session, outbound, settings=settings, now=now)
            envelope_from = mail.from_address
            message = build_reply(mail, rfc_message_id=outbound.rfc_message_id, files=files)
            outbound.raw_sha256 = files.put(message.as_bytes()).sha256
        response = _deliver(server, message, envelope_from, outbound_recipients(mail))
    except Exception as exc:
        return _record_failure(database, outbound_id, exc, clock())
    with database.unit_of_work() as session:
        outbound = session.get_one(OutboundEmail, outbound_id)
        outbound.status = "sent"
        outbound.sent_at = clock()
        outbound.smtp_response = response
        outbound.last_error = None
        show_delivery(session, outbound)
        emit(
            session,
            "email.sent",
            subject_type="ticket",
            subject_id=replies.ticket_of(session, outbound.message_id),
            payload={"message_id": outbound.message_id, "outbound_id": outbound.id},
        )
    return "sent"


def outbound_recipients(mail: replies.Reply) -> list[str]:
    return list(dict.fromkeys([*mail.to, *mail.cc]))


def _deliver(
    server: ServerSettings, message: EmailMessage, envelope_from: str, rcpt: list[str]
) -> str:
    client = open_smtp(server)
    try:
        refused = client.send_message(message, from_addr=envelope_from, to_addrs=rcpt)
        code, text = client.noop()
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()
    accepted = len(rcpt) - len(refused)
    detail = f"accepted for {accepted} of {len(rcpt)} recipients"
    if refused:
        detail += "; refused: " + "; ".join(f"{a} {c} {_text(t)}" for a, (c, t) in refused.items())
    return f"{detail} (server {code} {_text(text)})"[:4000]


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def is_permanent(exc: BaseException) -> bool:
    """5xx answers and impossible mails fail for good; everything else is retried."""
    if isinstance(exc, replies.NoRecipient):
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= c < 600 for c in codes)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return False  # a password to fix: keep retrying with backoff while an admin does
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{a}: {c} {_text(t)}" for a, (c, t) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_text(exc.smtp_error)}"
    if isinstance(exc, socket.timeout | TimeoutError):
        return "the mail server did not answer in time"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc.reason or exc}"
    if isinstance(exc, ConnectionRefusedError):
        return "the mail server refused the connection"
    return f"{type(exc).__name__}: {exc}"


def _record_failure(database: Database, outbound_id: int, exc: Exception, now: datetime) -> str:
    permanent = is_permanent(exc)
    reason = describe(exc)[:4000]
    log.warning("sending email %s failed: %s", outbound_id, reason)
    with database.unit_of_work() as session:
        outbound = session.get_one(OutboundEmail, outbound_id)
        outbound.last_error = reason
        if permanent or outbound.attempts >= MAX_ATTEMPTS:
            outbound.status = "failed"
            outbound.is_permanent_failure = permanent
            outbound.next_attempt_at = None
            show_delivery(session, outbound)
            emit(
                session,
                "email.failed",
                subject_type="ticket",
                subject_id=replies.ticket_of(session, outbound.message_id),
                payload={
                    "message_id": outbound.message_id,
                    "outbound_id": outbound.id,
                    "error": reason,
                },
            )
        else:
            outbound.status = "queued"
            outbound.next_attempt_at = now + timedelta(seconds=backoff_seconds(outbound.attempts))
            show_delivery(session, outbound)
        return outbound.status


def due_outbound_ids(session: Session, *, now: datetime, limit: int = 200) -> list[int]:
    """Queued rows that are due, after putting back rows a dead process left in "sending"."""
    session.execute(
        update(OutboundEmail)
        .where(
            OutboundEmail.status == "sending",
            OutboundEmail.sending_started_at < now - STALE_SENDING,
        )
        .values(status="queued", next_attempt_at=now, last_error="interrupted while sending")
    )
    return list(
        session.scalars(
            select(OutboundEmail.id)
            .where(OutboundEmail.status == "queued", OutboundEmail.next_attempt_at <= now)
            .order_by(OutboundEmail.id)
            .limit(limit)
        )
    )


def resend(session: Session, *, actor: Actor, ticket_id: int, message_id: int) -> OutboundEmail:
    """An agent tries a failed reply again (after fixing the address or the mailbox)."""
    require(actor, "tickets.reply")
    outbound = _outbound_on(session, ticket_id, message_id)
    if outbound is None:
        raise NotFound(f"message {message_id} was not sent by email")
    if outbound.status != "failed":
        raise Conflict("this reply is not failed; it is sent or still being sent")
    if outbound.status == "failed":
        outbound.status = "queued"
        outbound.attempts = 0
        outbound.is_permanent_failure = False
        outbound.next_attempt_at = utcnow()
        session.flush()
        show_delivery(session, outbound)
        enqueue_after_commit(session, "email.send", outbound.id)
    return outbound


def _outbound_on(session: Session, ticket_id: int, message_id: int) -> OutboundEmail | None:
    message = get_message(session, message_id)
    if message.ticket_id != ticket_id:
        raise NotFound(f"message {message_id} is not on ticket {ticket_id}")
    return session.scalar(select(OutboundEmail).where(OutboundEmail.message_id == message_id))


def original_of(session: Session, *, actor: Actor, ticket_id: int, message_id: int) -> str:
    """The file-store digest of a message's email as received or sent."""
    require(actor, "tickets.read")
    outbound = _outbound_on(session, ticket_id, message_id)
    if outbound is not None and outbound.raw_sha256:
        return outbound.raw_sha256
    details = get_message(session, message_id).details or {}
    sha256 = (details.get("email") or {}).get("raw_sha256")
    if not sha256:
        raise NotFound(f"message {message_id} has no original email")
    return str(sha256)


def show_delivery(session: Session, outbound: OutboundEmail) -> None:
    """Mirror the delivery state on the ticket message (what the conversation shows)."""
    shown = "sending" if outbound.status == "queued" else outbound.status
    info: dict[str, object] = {"status": shown}
    if outbound.last_error:
        info["error"] = outbound.last_error
    if outbound.sent_at:
        info["sent_at"] = outbound.sent_at.isoformat()
    set_delivery(session, outbound.message_id, **info)
