"""Email test data: raw mails as clients send them, and mailboxes made through the service."""

from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

import pytest

from kefu.channels.email import inbound, inbound_batch, mailboxes
from kefu.channels.email.inbound import RawEmail, Receipt, receive_emails
from kefu.channels.email.models import Mailbox
from kefu.channels.email.schemas import MailboxCreate
from kefu.db import Database
from kefu.ingest.schemas import InboundMessage
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.kit.filestore import FileStore

SUPPORT = "support@shop.example.com"
KEY = "test-secret-key-" + "x" * 32


def mail(
    *,
    sender: str = "emily@example.com",
    name: str = "Emily Chen",
    to: str = SUPPORT,
    subject: str = "Where is my order?",
    text: str = "I ordered a week ago and nothing has arrived.",
    html: str | None = None,
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: Iterable[str] = (),
    cc: Iterable[str] = (),
    headers: dict[str, str] | None = None,
    attachments: Iterable[tuple[str, str, bytes]] = (),
) -> bytes:
    """A raw RFC 5322 message; ids are given without angle brackets."""
    message = EmailMessage()
    message["From"] = formataddr((name, sender))
    message["To"] = to
    if cc:
        message["Cc"] = ", ".join(cc)
    message["Subject"] = subject
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = f"<{message_id}>" if message_id else make_msgid(domain="example.com")
    if in_reply_to:
        message["In-Reply-To"] = f"<{in_reply_to}>"
    refs = list(references)
    if refs:
        message["References"] = " ".join(f"<{r}>" for r in refs)
    for key, value in (headers or {}).items():
        message[key] = value
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for filename, content_type, data in attachments:
        maintype, subtype = content_type.split("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message.as_bytes()


def deliver(
    database: Database,
    files: FileStore,
    *raws: bytes,
    mailbox_id: int | None = None,
) -> list[Receipt]:
    """Mail arriving in a mailbox, as the fetcher hands it over."""
    emails = [RawEmail(raw, f"test #{i}") for i, raw in enumerate(raws)]
    return receive_emails(database, files, mailbox_id=mailbox_id, emails=emails)


def make_mailbox(
    database: Database,
    *,
    address: str = SUPPORT,
    smtp_host: str = "127.0.0.1",
    smtp_port: int = 25,
    smtp_security: str = "none",
    smtp_username: str | None = None,
    smtp_password: str | None = None,
    **values: object,
) -> Mailbox:
    data = MailboxCreate(
        name=values.pop("name", "Support"),  # type: ignore[arg-type]
        address=address,
        from_name=values.pop("from_name", "Shop Support"),  # type: ignore[arg-type]
        smtp_host=smtp_host,
        smtp_port=smtp_port,
        smtp_security=smtp_security,  # type: ignore[arg-type]
        smtp_username=smtp_username,
        smtp_password=smtp_password,
        **values,  # type: ignore[arg-type]
    )
    with database.unit_of_work(actor=Actor.system()) as session:
        return mailboxes.create_mailbox(session, actor=Actor.system(), data=data, key=KEY)


def refuse_storing(
    monkeypatch: pytest.MonkeyPatch, error: str, *, subject: str | None = None
) -> None:
    """The database refuses mail (with this subject, or any): `ingest` raises for it, and so
    does a bulk write holding it (its batch then falls back to one by one)."""
    real_ingest, real_many = inbound.ingest, inbound_batch.ingest_many

    def refused(message: InboundMessage) -> bool:
        return subject is None or message.subject == subject

    def ingest(session, *, message, **options):  # type: ignore[no-untyped-def]
        if refused(message):
            raise RuntimeError(error)
        return real_ingest(session, message=message, **options)

    def ingest_many(session, messages, **options):  # type: ignore[no-untyped-def]
        if any(refused(message) for message in messages):
            raise RuntimeError(error)
        return real_many(session, messages, **options)

    monkeypatch.setattr(inbound, "ingest", ingest)
    monkeypatch.setattr(inbound_batch, "ingest_many", ingest_many)
