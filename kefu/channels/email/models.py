"""Mailboxes and the delivery record of every email kefu sends."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Audited, Base, BigId, JsonDoc, UtcDateTime
from kefu.kit.clock import utcnow


class Mailbox(Audited, Base):
    """A support address: where its mail is fetched (IMAP) and how replies leave (SMTP).

    Secrets (`*_secret_enc`, OAuth tokens) are encrypted with the instance key
    (kefu.kit.secretbox); `auth_kind` "xoauth2" uses the OAuth refresh token for both
    protocols, since Gmail and Microsoft 365 no longer accept passwords. IMAP progress
    (`imap_uidvalidity`, `imap_last_uid`) and the fetch lease live here so only one process
    fetches a mailbox at a time."""

    __tablename__ = "mailboxes"
    __audit_redact__ = frozenset(
        {
            "imap_secret_enc",
            "smtp_secret_enc",
            "oauth_client_secret_enc",
            "oauth_refresh_token_enc",
            "oauth_access_token_enc",
        }
    )
    __audit_ignore__ = frozenset(
        {
            "imap_uidvalidity",
            "imap_last_uid",
            "last_fetch_at",
            "last_error",
            "last_error_at",
            "fetch_lease_until",
            "fetch_lease_owner",
            "oauth_access_token_enc",
            "oauth_expires_at",
            "updated_at",
        }
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(320), unique=True)  # normalized, lower case
    from_name: Mapped[str] = mapped_column(String(200), default="")
    brand: Mapped[str] = mapped_column(String(200), default="")
    store_id: Mapped[int | None] = mapped_column(Integer)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    auth_kind: Mapped[str] = mapped_column(String(10), default="password")  # password | xoauth2

    imap_host: Mapped[str] = mapped_column(String(255), default="")
    imap_port: Mapped[int] = mapped_column(Integer, default=993)
    imap_security: Mapped[str] = mapped_column(String(10), default="ssl")  # ssl|starttls|none
    imap_username: Mapped[str] = mapped_column(String(320), default="")
    imap_secret_enc: Mapped[str | None] = mapped_column(Text)
    imap_folder: Mapped[str] = mapped_column(String(255), default="INBOX")
    imap_archive_folder: Mapped[str | None] = mapped_column(String(255))

    smtp_host: Mapped[str] = mapped_column(String(255), default="")
    smtp_port: Mapped[int] = mapped_column(Integer, default=587)
    smtp_security: Mapped[str] = mapped_column(String(10), default="starttls")
    smtp_username: Mapped[str] = mapped_column(String(320), default="")
    smtp_secret_enc: Mapped[str | None] = mapped_column(Text)

    oauth_token_url: Mapped[str | None] = mapped_column(String(500))
    oauth_client_id: Mapped[str | None] = mapped_column(String(500))
    oauth_client_secret_enc: Mapped[str | None] = mapped_column(Text)
    oauth_scope: Mapped[str | None] = mapped_column(String(500))
    oauth_refresh_token_enc: Mapped[str | None] = mapped_column(Text)
    oauth_access_token_enc: Mapped[str | None] = mapped_column(Text)
    oauth_expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    imap_uidvalidity: Mapped[int | None] = mapped_column(BigInteger)
    imap_last_uid: Mapped[int] = mapped_column(BigInteger, default=0)
    last_fetch_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    fetch_lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    fetch_lease_owner: Mapped[str | None] = mapped_column(String(120))

    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class OutboundEmail(Base):
    """One ticket message's journey out by SMTP: queued → sending → sent | failed.

    `rfc_message_id` is fixed before the first attempt, so a resend after an unknown outcome
    carries the same Message-ID; `sent` is committed right after the server accepted the
    mail and before the outbox delivery is acknowledged, so a retry never sends it again."""

    __tablename__ = "outbound_emails"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), unique=True
    )
    mailbox_id: Mapped[int | None] = mapped_column(ForeignKey("mailboxes.id", ondelete="SET NULL"))
    rfc_message_id: Mapped[str] = mapped_column(String(500), unique=True)
    recipients: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    is_permanent_failure: Mapped[bool] = mapped_column(Boolean, default=False)
    smtp_response: Mapped[str | None] = mapped_column(Text)
    raw_sha256: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sending_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (Index(None, "status", "next_attempt_at"),)


class InboundFailure(Base):
    """A message a mailbox could not store at all (kept raw, so nothing is lost): shown to
    admins on the mailbox page and retried from there."""

    __tablename__ = "inbound_email_failures"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    mailbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("mailboxes.id", ondelete="CASCADE"), index=True
    )
    raw_sha256: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(200))  # "imap uid 42", "lmtp", "import a.mbox#7"
    error: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
