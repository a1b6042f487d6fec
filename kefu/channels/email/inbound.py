"""Receiving email: raw bytes from IMAP, LMTP/SMTP or an import become ticket messages.

Every batch is one transaction with a savepoint per email, committed before the caller
acknowledges anything (IMAP flag, LMTP 250, import progress). An email that cannot be stored
even then is kept raw as an InboundFailure, so the batch and the fetcher go on and nothing is
lost. Ingest is idempotent on the Message-ID, so receiving the same bytes again adds nothing."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.channels.email import bounces
from kefu.channels.email.models import InboundFailure, Mailbox
from kefu.channels.email.noise import Noise, classify
from kefu.channels.email.parse import ParsedEmail, parse_email
from kefu.channels.email.quotes import split_reply
from kefu.channels.email.source_ids import fingerprint, source_id_of
from kefu.channels.email.urgency import priority_of
from kefu.config import Settings
from kefu.customers import service as customers
from kefu.db import is_contention
from kefu.ingest.schemas import InboundMessage, Sender
from kefu.ingest.service import ingest
from kefu.kit.clock import utcnow
from kefu.kit.gc_batch import batch_gc
from kefu.kit.sanitize import html_to_text, sanitize_html
from kefu.kit.subjects import ticket_id_in
from kefu.tickets import service as tickets
from kefu.tickets.schemas import AttachmentIn

if TYPE_CHECKING:
    from kefu.db import Database
    from kefu.kit.filestore import FileStore

log = logging.getLogger(__name__)

MAX_TEXT = 1_000_000
MAX_HTML = 5_000_000
# More mail than this from one sender within the hour is treated as a loop (an auto-responder
# answering our auto-responder): still stored, but it reopens nothing and is not answered.
SENDER_LIMIT_PER_HOUR = 30
NOISE_TAGS = {"auto_reply": "auto-reply", "bounce": "bounce", "list": "mailing-list"}


@dataclass(slots=True)
class RawEmail:
    raw: bytes
    source: str


@dataclass(slots=True)
class Receipt:
    source: str
    ticket_id: int | None
    message_id: int | None
    is_duplicate: bool
    failed: bool
    noise: str | None = None


@dataclass(slots=True)
class Batch:
    """What every email of a batch shares: looked up once. Plain values only: the batch goes
    to the ingest pool's processes with its mail (kefu.channels.email.ingest_pool)."""

    mailbox_id: int | None
    store_id: int | None
    own_addresses: frozenset[str]
    agents: dict[str, int]
    max_attachment_bytes: int
    use_mail_date: bool
    now: datetime = field(default_factory=utcnow)
    stored_files: list[str] = field(default_factory=list)

    def put(self, files: FileStore, data: bytes) -> str:
        """Store bytes without waiting for the disk; the batch syncs them before commit."""
        digest = files.put(data, sync=False).sha256
        self.stored_files.append(digest)
        return digest


def receive_emails(
    database: Database,
    files: FileStore,
    *,
    mailbox_id: int | None,
    emails: list[RawEmail],
    settings: Settings | None = None,
    use_mail_date: bool = False,
) -> list[Receipt]:
    """Store a batch of raw emails and commit; see the module docstring. `use_mail_date` keeps
    each mail's own Date (imports of old mail); live mail is dated when it arrives."""
    return database.retrying(
        lambda session: receive_in(
            session,
            files,
            mailbox_id=mailbox_id,
            emails=emails,
            settings=settings,
            use_mail_date=use_mail_date,
        )
    )


def receive_in(
    session: Session,
    files: FileStore,
    *,
    mailbox_id: int | None,
    emails: list[RawEmail],
    settings: Settings | None = None,
    use_mail_date: bool = False,
) -> list[Receipt]:
    """`receive_emails` in the caller's transaction (the caller commits, then acknowledges)."""
    batch = batch_for(
        session, mailbox_id=mailbox_id, settings=settings, use_mail_date=use_mail_date
    )
    from kefu.channels.email import ingest_pool
    from kefu.channels.email.inbound_batch import receive_batch

    workers = ingest_pool.workers_for(settings)
    with batch_gc():
        receipts = receive_batch(session, files, batch, emails, workers=workers)
    files.sync(batch.stored_files)
    return receipts


def batch_for(
    session: Session, *, mailbox_id: int | None, settings: Settings | None, use_mail_date: bool
) -> Batch:
    """The lookups a batch of mail from this mailbox shares."""
    mailbox = session.get(Mailbox, mailbox_id) if mailbox_id is not None else None
    return Batch(
        mailbox_id=mailbox.id if mailbox else None,
        store_id=mailbox.store_id if mailbox else None,
        own_addresses=frozenset(session.scalars(select(Mailbox.address))),
        agents=accounts.active_agent_ids_by_email(session),
        max_attachment_bytes=settings.max_attachment_bytes if settings else 25_000_000,
        use_mail_date=use_mail_date,
    )


def receive_one(
    session: Session,
    files: FileStore,
    batch: Batch,
    email: RawEmail,
    raw_sha256: str | None = None,
) -> Receipt:
    """One email in its own savepoint (the bulk path's fallback); `raw_sha256` if stored."""
    raw_sha256 = raw_sha256 or batch.put(files, email.raw)
    try:
        with session.begin_nested():
            return _store(session, files, batch, email, raw_sha256)
    except Exception as exc:
        if is_contention(exc):
            raise  # not the mail's fault: the caller runs the batch again
        log.exception("could not store email %s (raw %s)", email.source, raw_sha256)
        _record_failure(session, batch, email, raw_sha256, exc)
        return Receipt(email.source, None, None, is_duplicate=False, failed=True)


def _record_failure(
    session: Session, batch: Batch, email: RawEmail, raw_sha256: str, exc: Exception
) -> None:
    known = session.scalar(
        select(InboundFailure.id).where(
            InboundFailure.raw_sha256 == raw_sha256, InboundFailure.resolved_at.is_(None)
        )
    )
    if known is None:
        session.add(
            InboundFailure(
                mailbox_id=batch.mailbox_id,
                raw_sha256=raw_sha256,
                source=email.source[:200],
                error=f"{type(exc).__name__}: {exc}"[:4000],
            )
        )
        session.flush()


def _store(
    session: Session, files: FileStore, batch: Batch, email: RawEmail, raw_sha256: str
) -> Receipt:
    parsed = parse_email(email.raw, max_attachment_bytes=batch.max_attachment_bytes)
    noise = classify(parsed, own_addresses=batch.own_addresses)
    if noise.kind == "own":
        # Our own reply coming back (a BCC to the support address, a server copy).
        return Receipt(email.source, None, None, is_duplicate=True, failed=False, noise="own")
    source_id, known_new = source_id_of(session, parsed, raw_sha256)
    if noise.kind == "bounce":
        noted = bounces.record_bounce(session, parsed, noise, source_id=source_id, at=batch.now)
        if noted is not None:
            return Receipt(email.source, noted.ticket_id, noted.id, False, False, "bounce")
    message = inbound_message(session, files, batch, parsed, noise, source_id, raw_sha256)
    result = ingest(session, message=message, known_new=known_new)
    if not result.is_duplicate:
        _follow(session, batch, parsed, result.ticket_id)
    return Receipt(
        email.source,
        result.ticket_id,
        result.message_id,
        is_duplicate=result.is_duplicate,
        failed=False,
        noise=noise.kind,
    )


def inbound_message(
    session: Session | None,
    files: FileStore,
    batch: Batch,
    parsed: ParsedEmail,
    noise: Noise,
    source_id: str,
    raw_sha256: str,
    *,
    check_limit: bool = True,
) -> InboundMessage:
    """The InboundMessage of a parsed mail; without `check_limit` the sender limit is left
    to the caller (bulk ingest counts the batch's own mail too)."""
    defects = list(parsed.defects)
    sender_email = parsed.sender.email if parsed.sender else None
    if sender_email is None or not _usable_address(sender_email):
        defects.append(f"unusable_sender: {sender_email or '(none)'}")
        sender_email = f"unknown-sender+{raw_sha256[:12]}@invalid.kefu"
    text, html = parsed.text, parsed.html
    if len(text) > MAX_TEXT or (html and len(html) > MAX_HTML):
        defects.append("body_truncated")
        text, html = text[:MAX_TEXT], (html[:MAX_HTML] if html else None)
    if html and html.strip():
        html = sanitize_html(html)
        if not text.strip():
            text = html_to_text(html)
    parts = split_reply(text, html=html)
    is_automated = noise.kind is not None or (
        check_limit and session is not None and _over_sender_limit(session, sender_email, batch)
    )
    if is_automated and noise.kind is None:
        defects.append("sender_rate_limited")
    details: dict[str, Any] = {
        "message_id": parsed.message_id,
        "from": sender_email,
        "to": [a.email for a in parsed.to],
        "cc": [a.email for a in parsed.cc],
        "raw_sha256": raw_sha256,
        "fingerprint": fingerprint(parsed),
    }
    if parts.new.strip() != text.strip():
        details["visible_text"] = parts.new
    if defects:
        details["defects"] = defects
    if noise.kind:
        details["noise"] = noise.kind
        details["noise_reason"] = noise.reason
    if batch.mailbox_id is not None:
        details["mailbox_id"] = batch.mailbox_id
    agent_id = batch.agents.get(sender_email)
    return InboundMessage(
        channel="email",
        source_id=source_id,
        sender=Sender(
            email=sender_email, name=(parsed.sender.name or None) if parsed.sender else None
        ),
        subject=(parsed.subject or "")[:2000],
        body_text=text,
        body_html=html,
        received_at=_received_at(parsed, batch),
        ticket_id=ticket_id_in(parsed.subject or ""),
        references=_references(parsed),
        cc_emails=_cc_emails(parsed, batch, sender_email),
        attachments=_attachments(files, batch, parsed),
        store_id=batch.store_id,
        details={"email": details},
        thread_by_subject=True,
        is_automated=is_automated,
        tags=[NOISE_TAGS[noise.kind]] if noise.kind in NOISE_TAGS else [],
        priority=None if noise.kind else priority_of(parsed.headers),
        sender_agent_id=agent_id,
    )


@lru_cache(maxsize=4096)  # the same senders and CCs come again and again
def _usable_address(address: str) -> bool:
    try:
        Sender(email=address)
    except ValueError:
        return False
    return True


def _over_sender_limit(session: Session, address: str, batch: Batch) -> bool:
    customer = customers.find_by_identity(session, "email", address)
    if customer is None:
        return False
    since = batch.now - timedelta(hours=1)
    return tickets.messages_from_since(session, customer.id, since=since) >= SENDER_LIMIT_PER_HOUR


def _received_at(parsed: ParsedEmail, batch: Batch) -> datetime:
    if batch.use_mail_date and parsed.date is not None and parsed.date <= batch.now:
        return parsed.date
    return batch.now


def _references(parsed: ParsedEmail) -> list[str]:
    """In-Reply-To first, then References newest first: any of them may be ours."""
    seen: dict[str, None] = {}
    for ref in [*parsed.in_reply_to, *reversed(parsed.references)]:
        if ref and len(ref) <= 500:
            seen.setdefault(ref, None)
    return list(seen)[:200]


def _cc_emails(parsed: ParsedEmail, batch: Batch, sender_email: str) -> list[str]:
    """Other people on the mail become the ticket's CCs; our own addresses and agents do not
    (agents follow instead). With no mailbox known, To is taken to be us."""
    found: dict[str, None] = {}
    others = [*parsed.to, *parsed.cc] if batch.own_addresses else parsed.cc
    for address in others:
        email = address.email
        if (
            email
            and email != sender_email
            and email not in batch.own_addresses
            and email not in batch.agents
            and _usable_address(email)
        ):
            found.setdefault(email, None)
    return list(found)[:100]


def _attachments(files: FileStore, batch: Batch, parsed: ParsedEmail) -> list[AttachmentIn]:
    stored = []
    for item in parsed.attachments[:100]:
        stored.append(
            AttachmentIn(
                filename=item.filename[:255] or "attachment",
                content_type=(item.content_type or "application/octet-stream")[:200],
                sha256=batch.put(files, item.data),
                size=len(item.data),
                content_id=(item.content_id or None) and item.content_id[:255],
                is_inline=item.is_inline,
            )
        )
    return stored


def _follow(session: Session, batch: Batch, parsed: ParsedEmail, ticket_id: int) -> None:
    agent_ids = sorted(
        {batch.agents[a.email] for a in [*parsed.to, *parsed.cc] if a.email in batch.agents}
    )
    if agent_ids:
        tickets.add_followers(session, tickets.get_ticket(session, ticket_id), agent_ids)
