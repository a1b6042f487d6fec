"""What crosses the API for mailboxes. Secrets are write-only: sent in, never returned."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

Security = Literal["ssl", "starttls", "none"]
AuthKind = Literal["password", "xoauth2"]
SECRET_FIELDS = (
    "imap_password",
    "smtp_password",
    "oauth_client_secret",
    "oauth_refresh_token",
)
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}


def _secret(description: str) -> Any:
    return Field(
        default=None,
        max_length=8000,
        repr=False,
        description=f"{description}. Write-only: never returned; empty or omitted on an "
        "update keeps the stored one.",
        json_schema_extra={"writeOnly": True, "format": "password"},
    )


def _token_url(value: str | None) -> str | None:
    """https only (the client secret travels in it), plain http only to this machine."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme == "https" and parts.hostname:
        return value
    if parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS:
        return value
    raise ValueError("must be an https:// address (plain http only to localhost)")


def _text(value: str | None) -> str | None:
    return None if value is None else value.strip()


class MailboxFields(BaseModel):
    """What an admin sets; every field of an update is optional."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    address: EmailStr | None = Field(default=None, description="the support address")
    from_name: str | None = Field(default=None, max_length=200)
    brand: str | None = Field(default=None, max_length=200)
    auth_kind: AuthKind | None = None

    imap_host: str | None = Field(default=None, max_length=255)
    imap_port: int | None = Field(default=None, ge=1, le=65535)
    imap_security: Security | None = None
    imap_username: str | None = Field(default=None, max_length=320)
    imap_password: str | None = _secret("IMAP password")
    imap_folder: str | None = Field(default=None, min_length=1, max_length=255)
    imap_archive_folder: str | None = Field(
        default=None, max_length=255, description="where fetched mail is moved; empty: flag only"
    )

    smtp_host: str | None = Field(default=None, max_length=255)
    smtp_port: int | None = Field(default=None, ge=1, le=65535)
    smtp_security: Security | None = None
    smtp_username: str | None = Field(default=None, max_length=320)
    smtp_password: str | None = _secret("SMTP password")

    oauth_token_url: str | None = Field(default=None, max_length=500)
    oauth_client_id: str | None = Field(default=None, max_length=500)
    oauth_client_secret: str | None = _secret("OAuth client secret")
    oauth_scope: str | None = Field(default=None, max_length=500)
    oauth_refresh_token: str | None = _secret("OAuth refresh token")

    @field_validator(
        "name",
        "from_name",
        "brand",
        "imap_host",
        "imap_username",
        "imap_folder",
        "imap_archive_folder",
        "smtp_host",
        "smtp_username",
        "oauth_client_id",
        "oauth_scope",
    )
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return _text(value)

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str | None) -> str | None:
        if value is not None and not value:
            raise ValueError("name must not be blank")
        return value

    @field_validator("oauth_token_url")
    @classmethod
    def _check_token_url(cls, value: str | None) -> str | None:
        return _token_url(value)

    @field_validator("imap_host", "smtp_host")
    @classmethod
    def _host(cls, value: str | None) -> str | None:
        if value and any(char.isspace() or char in "/@" for char in value):
            raise ValueError("a host name only, such as imap.example.com (no scheme or path)")
        return value


class MailboxCreate(MailboxFields):
    name: str = Field(min_length=1, max_length=200)
    address: EmailStr = Field(description="the support address customers write to")
    auth_kind: AuthKind = "password"


class MailboxUpdate(MailboxFields):
    is_active: bool | None = None


class MailboxRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    address: str
    from_name: str
    brand: str
    is_active: bool
    auth_kind: AuthKind
    imap_host: str
    imap_port: int
    imap_security: Security
    imap_username: str
    imap_folder: str
    imap_archive_folder: str | None
    has_imap_password: bool
    smtp_host: str
    smtp_port: int
    smtp_security: Security
    smtp_username: str
    has_smtp_password: bool
    oauth_token_url: str | None
    oauth_client_id: str | None
    oauth_scope: str | None
    has_oauth_client_secret: bool
    has_oauth_refresh_token: bool
    oauth_expires_at: datetime | None
    last_fetch_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, mailbox: Any) -> MailboxRead:
        return cls.model_validate(
            {
                **{name: getattr(mailbox, name) for name in cls.model_fields if name[:4] != "has_"},
                "has_imap_password": mailbox.imap_secret_enc is not None,
                "has_smtp_password": mailbox.smtp_secret_enc is not None,
                "has_oauth_client_secret": mailbox.oauth_client_secret_enc is not None,
                "has_oauth_refresh_token": mailbox.oauth_refresh_token_enc is not None,
            }
        )


class CheckStep(BaseModel):
    """One step of a connection test: what was tried, whether it worked, and in what words."""

    name: str = Field(description="dns, connect, tls, greeting, starttls, oauth, login, ...")
    ok: bool
    detail: str


class ConnectionReport(BaseModel):
    ok: bool
    imap: list[CheckStep]
    smtp: list[CheckStep]
