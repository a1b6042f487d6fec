"""Opening IMAP and SMTP connections for a mailbox: TLS mode and password or XOAUTH2 login.

The settings are plain values (secrets already decrypted, OAuth access token already fresh),
so the fetcher, the sender and the connection test share one way to connect."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from typing import Literal

from imapclient import IMAPClient

# "opportunistic": STARTTLS when the server offers it (KEFU_SMTP_URL's smtp:// scheme).
Security = Literal["ssl", "starttls", "opportunistic", "none"]
AuthKind = Literal["password", "xoauth2"]
TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """One server of a mailbox. `secret` is the password, or the OAuth access token when
    `auth_kind` is "xoauth2". `verify_tls` is off only for tests against a self-signed
    loopback server."""

    host: str
    port: int
    security: Security
    username: str
    secret: str
    auth_kind: AuthKind = "password"
    verify_tls: bool = True
    timeout: float = TIMEOUT_SECONDS


def tls_context(settings: ServerSettings) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if not settings.verify_tls:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def xoauth2_string(username: str, access_token: str) -> str:
    """The SASL XOAUTH2 initial response (Google's and Microsoft's documented format)."""
    return f"user={username}\x01auth=Bearer {access_token}\x01\x01"


def open_imap(settings: ServerSettings) -> IMAPClient:
    """A logged-in IMAP connection; raises what the library raises (socket, TLS, login)."""
    context = tls_context(settings)
    client = IMAPClient(
        settings.host,
        port=settings.port,
        ssl=settings.security == "ssl",
        ssl_context=context,
        timeout=settings.timeout,
    )
    try:
        if settings.security == "starttls":
            client.starttls(context)
        if settings.auth_kind == "xoauth2":
            client.oauth2_login(settings.username, settings.secret)
        else:
            client.login(settings.username, settings.secret)
    except BaseException:
        _close_quietly(client)
        raise
    return client


def open_smtp(settings: ServerSettings) -> smtplib.SMTP:
    """A logged-in SMTP connection (no login when the username is empty)."""
    context = tls_context(settings)
    client: smtplib.SMTP
    if settings.security == "ssl":
        client = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout, context=context
        )
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        client.ehlo()
        if settings.security == "starttls" or (
            settings.security == "opportunistic" and client.has_extn("starttls")
        ):
            client.starttls(context=context)
            client.ehlo()
        if settings.username:
            if settings.auth_kind == "xoauth2":
                token = xoauth2_string(settings.username, settings.secret)
                client.auth("XOAUTH2", lambda challenge=None: token, initial_response_ok=True)
            else:
                client.login(settings.username, settings.secret)
    except BaseException:
        _close_quietly(client)
        raise
    return client


def _close_quietly(client: IMAPClient | smtplib.SMTP) -> None:
    try:
        if isinstance(client, IMAPClient):
            client.shutdown()
        else:
            client.close()
    except Exception:  # noqa: S110 - already failing; the first error is the one to report
        pass
