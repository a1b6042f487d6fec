"""Mailboxes: set up by admins, secrets encrypted at rest, connection settings for the fetcher,
the sender and the connection test (with a fresh XOAUTH2 access token)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.channels.email import oauth
from kefu.channels.email.models import Mailbox
from kefu.channels.email.schemas import MailboxCreate, MailboxFields, MailboxUpdate
from kefu.channels.email.transport import ServerSettings
from kefu.errors import Conflict, InvalidInput, NotFound
from kefu.kit import secretbox
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.permissions import require
from kefu.runtime import instance_key

Protocol = Literal["imap", "smtp"]
REFRESH_MARGIN = timedelta(minutes=5)
# form field -> encrypted column
SECRET_COLUMNS = {
    "imap_password": "imap_secret_enc",
    "smtp_password": "smtp_secret_enc",
    "oauth_client_secret": "oauth_client_secret_enc",
    "oauth_refresh_token": "oauth_refresh_token_enc",
}
# A changed OAuth client or refresh token makes the cached access token meaningless.
OAUTH_IDENTITY = {"oauth_token_url", "oauth_client_id", "oauth_client_secret_enc"}
OAUTH_IDENTITY |= {"oauth_refresh_token_enc", "oauth_scope", "auth_kind"}


def normalize_address(address: str) -> str:
    return address.strip().lower()


def get_mailbox(session: Session, mailbox_id: int) -> Mailbox:
    mailbox = session.get(Mailbox, mailbox_id)
    if mailbox is None:
        raise NotFound(f"mailbox {mailbox_id} not found")
    return mailbox


def list_mailboxes(session: Session, *, include_inactive: bool = True) -> list[Mailbox]:
    statement = select(Mailbox).order_by(Mailbox.name, Mailbox.id)
    if not include_inactive:
        statement = statement.where(Mailbox.is_active.is_(True))
    return list(session.scalars(statement))


def mailbox_for_address(session: Session, address: str) -> Mailbox | None:
    return session.scalar(select(Mailbox).where(Mailbox.address == normalize_address(address)))


def own_addresses(session: Session) -> frozenset[str]:
    """Every mailbox's address, active or not: mail from any of them is our own."""
    return frozenset(session.scalars(select(Mailbox.address)))


def create_mailbox(
    session: Session, *, actor: Actor, data: MailboxCreate, key: str | None = None
) -> Mailbox:
    require(actor, "mailboxes.manage")
    mailbox = Mailbox(
        name=data.name,
        address="",
        from_name="",
        brand="",
        is_active=True,
        auth_kind="password",
        imap_host="",
        imap_port=993,
        imap_security="ssl",
        imap_username="",
        imap_folder="INBOX",
        smtp_host="",
        smtp_port=587,
        smtp_security="starttls",
        smtp_username="",
        imap_last_uid=0,
    )
    _apply(session, mailbox, data, key=instance_key(key))
    session.add(mailbox)
    session.flush()
    return mailbox


def update_mailbox(
    session: Session,
    *,
    actor: Actor,
    mailbox_id: int,
    data: MailboxUpdate,
    key: str | None = None,
) -> Mailbox:
    require(actor, "mailboxes.manage")
    mailbox = get_mailbox(session, mailbox_id)
    _apply(session, mailbox, data, key=instance_key(key))
    session.flush()
    return mailbox


def deactivate_mailbox(session: Session, *, actor: Actor, mailbox_id: int) -> Mailbox:
    """Stops fetching and sending from it; its history and settings stay."""
    require(actor, "mailboxes.manage")
    mailbox = get_mailbox(session, mailbox_id)
    mailbox.is_active = False
    session.flush()
    return mailbox


def _apply(session: Session, mailbox: Mailbox, data: MailboxFields, *, key: str) -> None:
    """Validates the whole mailbox as it would be, then writes; a refusal changes nothing."""
    sent = data.model_dump(exclude_unset=True, exclude_none=True)
    values: dict[str, Any] = {}
    for field, value in sent.items():
        if field in SECRET_COLUMNS:
            if value:  # empty: keep the stored secret
                values[SECRET_COLUMNS[field]] = secretbox.encrypt(value, key=key)
        elif field == "address":
            values["address"] = normalize_address(str(value))
        elif field in ("imap_archive_folder", "oauth_token_url", "oauth_client_id", "oauth_scope"):
            values[field] = value or None
        else:
            values[field] = value
    merged = {column: getattr(mailbox, column) for column in _COLUMNS} | values
    _check_complete(merged)
    address = values.get("address")
    if address is not None and address != mailbox.address:
        other = mailbox_for_address(session, address)
        if other is not None and other.id != mailbox.id:
            raise Conflict(f"another mailbox ({other.name}) already uses the address {address}")
    if OAUTH_IDENTITY & {c for c, v in values.items() if v != getattr(mailbox, c)}:
        values["oauth_access_token_enc"] = None
        values["oauth_expires_at"] = None
    for column, value in values.items():
        setattr(mailbox, column, value)


_COLUMNS = (
    "auth_kind",
    "oauth_token_url",
    "oauth_client_id",
    "oauth_refresh_token_enc",
    "imap_host",
    "smtp_host",
)


def _check_complete(merged: dict[str, Any]) -> None:
    if merged["auth_kind"] == "xoauth2":
        missing = [
            label
            for column, label in (
                ("oauth_token_url", "oauth_token_url"),
                ("oauth_client_id", "oauth_client_id"),
                ("oauth_refresh_token_enc", "oauth_refresh_token"),
            )
            if not merged[column]
        ]
        if missing:
            raise InvalidInput(f"OAuth2 sign-in needs {', '.join(missing)}")
    if not merged["imap_host"] and not merged["smtp_host"]:
        raise InvalidInput("set an IMAP server, an SMTP server, or both")


def server_settings(
    session: Session,
    mailbox: Mailbox,
    protocol: Protocol,
    *,
    now: datetime | None = None,
    key: str | None = None,
) -> ServerSettings:
    """How to connect to one of the mailbox's servers, secrets decrypted. For XOAUTH2 the
    access token is refreshed when it expires within 5 minutes and stored encrypted (the
    caller commits); raises SecretUnreadable or TokenRefreshFailed."""
    key = instance_key(key)
    if mailbox.auth_kind == "xoauth2":
        secret = access_token(session, mailbox, now=now or utcnow(), key=key)
    else:
        column = mailbox.imap_secret_enc if protocol == "imap" else mailbox.smtp_secret_enc
        secret = secretbox.decrypt(column, key=key) if column else ""
    if protocol == "imap":
        return ServerSettings(
            host=mailbox.imap_host,
            port=mailbox.imap_port,
            security=mailbox.imap_security,  # type: ignore[arg-type]
            username=mailbox.imap_username or mailbox.address,
            secret=secret,
            auth_kind=mailbox.auth_kind,  # type: ignore[arg-type]
        )
    return ServerSettings(
        host=mailbox.smtp_host,
        port=mailbox.smtp_port,
        security=mailbox.smtp_security,  # type: ignore[arg-type]
        username=mailbox.smtp_username
        or (mailbox.address if mailbox.auth_kind == "xoauth2" else ""),
        secret=secret,
        auth_kind=mailbox.auth_kind,  # type: ignore[arg-type]
    )


def access_token(session: Session, mailbox: Mailbox, *, now: datetime, key: str) -> str:
    """The stored access token while it has 5 minutes left, else a fresh one from the
    provider (a rotated refresh token replaces the old one)."""
    expires_at = mailbox.oauth_expires_at
    if mailbox.oauth_access_token_enc and expires_at and expires_at - REFRESH_MARGIN > now:
        return secretbox.decrypt(mailbox.oauth_access_token_enc, key=key)
    if not (
        mailbox.oauth_token_url and mailbox.oauth_client_id and mailbox.oauth_refresh_token_enc
    ):
        raise InvalidInput("OAuth2 sign-in needs a token URL, a client id and a refresh token")
    client_secret = mailbox.oauth_client_secret_enc
    token = oauth.refresh_access_token(
        token_url=mailbox.oauth_token_url,
        client_id=mailbox.oauth_client_id,
        client_secret=secretbox.decrypt(client_secret, key=key) if client_secret else None,
        refresh_token=secretbox.decrypt(mailbox.oauth_refresh_token_enc, key=key),
        scope=mailbox.oauth_scope,
        now=now,
    )
    mailbox.oauth_access_token_enc = secretbox.encrypt(token.access_token, key=key)
    mailbox.oauth_expires_at = token.expires_at
    if token.refresh_token:
        mailbox.oauth_refresh_token_enc = secretbox.encrypt(token.refresh_token, key=key)
    session.flush()
    return token.access_token
