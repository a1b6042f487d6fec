"""The "test connection" of a mailbox: every step of reaching its IMAP and SMTP servers, in
order, stopping at the first that fails and saying exactly why, in the server's own words
where it gave any (a wrong password, a missing folder, a certificate for another name)."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import smtplib
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from imapclient import IMAPClient
from sqlalchemy.orm import Session

from kefu.channels.email import mailboxes
from kefu.channels.email.models import Mailbox
from kefu.channels.email.transport import ServerSettings, tls_context, xoauth2_string
from kefu.errors import KefuError
from kefu.kit.i18n import gettext as _

MAX_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True, slots=True)
class Step:
    name: str  # dns, connect, tls, greeting, starttls, oauth, login, folder, archive_folder
    ok: bool
    detail: str


@dataclass(slots=True)
class Diagnosis:
    imap: list[Step] = field(default_factory=list)
    smtp: list[Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(step.ok for step in [*self.imap, *self.smtp])


class _Stop(Exception):
    """The failing step is recorded; nothing after it can be tried."""


class _Steps(list[Step]):
    def passed(self, name: str, detail: str) -> None:
        self.append(Step(name, True, detail))

    def failed(self, name: str, detail: str) -> _Stop:
        self.append(Step(name, False, detail))
        return _Stop(name)


def check_mailbox(
    session: Session, mailbox: Mailbox, *, now: datetime | None = None, key: str | None = None
) -> Diagnosis:
    """Tests both servers the mailbox has; a fresh OAuth access token is stored (commit)."""
    diagnosis = Diagnosis()
    for protocol, steps in (("imap", diagnosis.imap), ("smtp", diagnosis.smtp)):
        host = mailbox.imap_host if protocol == "imap" else mailbox.smtp_host
        if not host:
            steps.append(Step("skipped", True, _("No server set.")))
            continue
        try:
            settings = mailboxes.server_settings(session, mailbox, protocol, now=now, key=key)
        except KefuError as exc:
            steps.append(
                Step("oauth" if mailbox.auth_kind == "xoauth2" else "secret", False, exc.message)
            )
            continue
        if mailbox.auth_kind == "xoauth2":
            steps.append(Step("oauth", True, _("Access token received from the token URL.")))
        if protocol == "imap":
            steps.extend(
                check_imap(
                    settings, folder=mailbox.imap_folder, archive_folder=mailbox.imap_archive_folder
                )
            )
        else:
            steps.extend(check_smtp(settings))
    return diagnosis


def check_imap(
    settings: ServerSettings, *, folder: str = "INBOX", archive_folder: str | None = None
) -> list[Step]:
    settings = _bounded(settings)
    steps = _Steps()
    client: IMAPClient | None = None
    try:
        _reach(steps, settings)
        context = tls_context(settings)
        try:
            client = IMAPClient(
                settings.host,
                port=settings.port,
                ssl=settings.security == "ssl",
                ssl_context=context,
                timeout=settings.timeout,
            )
        except Exception as exc:
            raise steps.failed("greeting", _describe(exc, settings)) from None
        steps.passed("greeting", _server_words(client.welcome))
        if settings.security == "starttls":
            if not client.has_capability("STARTTLS"):
                raise steps.failed("starttls", _no_starttls(settings))
            try:
                client.starttls(context)
            except Exception as exc:
                raise steps.failed("starttls", _describe(exc, settings)) from None
            steps.passed("starttls", _("Encrypted with %(version)s.", version=_tls_version(client)))
        _imap_login(steps, client, settings)
        _imap_folder(steps, client, "folder", folder)
        if archive_folder:
            _imap_folder(steps, client, "archive_folder", archive_folder)
    except _Stop:
        pass
    finally:
        if client is not None:
            _quietly(client.logout)
    return list(steps)


def _imap_login(steps: _Steps, client: IMAPClient, settings: ServerSettings) -> None:
    if settings.auth_kind == "xoauth2" and not client.has_capability("AUTH=XOAUTH2"):
        raise steps.failed("login", _("The server does not offer AUTH=XOAUTH2 sign-in."))
    try:
        if settings.auth_kind == "xoauth2":
            client.oauth2_login(settings.username, settings.secret)
        else:
            client.login(settings.username, settings.secret)
    except Exception as exc:
        detail = _(
            "The server refused the sign-in as %(user)s: %(words)s",
            user=settings.username,
            words=_describe(exc, settings),
        )
        raise steps.failed("login", detail) from None
    steps.passed("login", _("Signed in as %(user)s.", user=settings.username))


def _imap_folder(steps: _Steps, client: IMAPClient, name: str, folder: str) -> None:
    try:
        folders = [str(entry[2]) for entry in client.list_folders()]
        if folder not in folders:
            detail = _(
                "The folder “%(folder)s” does not exist. Folders on the server: %(list)s",
                folder=folder,
                list=", ".join(folders) or "—",
            )
            raise steps.failed(name, detail)
        selected = client.select_folder(folder, readonly=True)
    except _Stop:
        raise
    except Exception as exc:
        raise steps.failed(name, _describe(exc, None)) from None
    count = int(selected.get(b"EXISTS", 0))
    steps.passed(name, _("“%(folder)s” opened: %(count)s messages.", folder=folder, count=count))


def check_smtp(settings: ServerSettings) -> list[Step]:
    settings = _bounded(settings)
    steps = _Steps()
    client: smtplib.SMTP | None = None
    try:
        _reach(steps, settings)
        context = tls_context(settings)
        if settings.security == "ssl":
            client = smtplib.SMTP_SSL(timeout=settings.timeout, context=context)
        else:
            client = smtplib.SMTP(timeout=settings.timeout)
        client._host = settings.host  # the name STARTTLS and SSL check the certificate for
        try:
            code, message = client.connect(settings.host, settings.port)
        except Exception as exc:
            raise steps.failed("greeting", _describe(exc, settings)) from None
        if code != 220:
            words = _server_words(message)
            said = f"{code} {words}" if code > 0 else words
            raise steps.failed(
                "greeting", _("The server did not greet with 220 (ready): %(words)s", words=said)
            )
        try:
            client.ehlo_or_helo_if_needed()
        except Exception as exc:
            raise steps.failed("greeting", _describe(exc, settings)) from None
        steps.passed("greeting", f"{code} {_server_words(message)}")
        if settings.security == "starttls":
            if not client.has_extn("starttls"):
                raise steps.failed("starttls", _no_starttls(settings))
            try:
                client.starttls(context=context)
                client.ehlo()
            except Exception as exc:
                raise steps.failed("starttls", _describe(exc, settings)) from None
            version = client.sock.version() if isinstance(client.sock, ssl.SSLSocket) else "TLS"
            steps.passed("starttls", _("Encrypted with %(version)s.", version=version))
        _smtp_login(steps, client, settings)
    except _Stop:
        pass
    finally:
        if client is not None:
            _quietly(client.quit)
            _quietly(client.close)
    return list(steps)


def _smtp_login(steps: _Steps, client: smtplib.SMTP, settings: ServerSettings) -> None:
    if not settings.username:
        steps.passed("login", _("No username set: mail is sent without signing in."))
        return
    if not client.has_extn("auth"):
        detail = _("The server does not offer SMTP AUTH (sign-in).")
        if settings.security == "none":
            detail += " " + _("Many servers offer it only after STARTTLS: choose STARTTLS.")
        raise steps.failed("login", detail)
    offered = client.esmtp_features.get("auth", "").upper().split()
    try:
        if settings.auth_kind == "xoauth2":
            if "XOAUTH2" not in offered:
                raise steps.failed(
                    "login",
                    _(
                        "The server does not offer XOAUTH2 sign-in (it offers: %(list)s).",
                        list=" ".join(offered),
                    ),
                )
            token = xoauth2_string(settings.username, settings.secret)
            client.auth("XOAUTH2", lambda challenge=None: token, initial_response_ok=True)
        else:
            client.login(settings.username, settings.secret)
    except _Stop:
        raise
    except Exception as exc:
        detail = _(
            "The server refused the sign-in as %(user)s: %(words)s",
            user=settings.username,
            words=_describe(exc, settings),
        )
        raise steps.failed("login", detail) from None
    steps.passed("login", _("Signed in as %(user)s.", user=settings.username))


def _reach(steps: _Steps, settings: ServerSettings) -> None:
    """DNS, TCP and (for SSL/TLS ports) the TLS handshake, each its own step."""
    where = f"{settings.host}:{settings.port}"
    try:
        infos = socket.getaddrinfo(settings.host, settings.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
        raise steps.failed(
            "dns",
            _(
                "The name %(host)s cannot be resolved: %(reason)s",
                host=settings.host,
                reason=reason,
            ),
        ) from None
    addresses = sorted({str(info[4][0]) for info in infos})
    steps.passed("dns", f"{settings.host} → {', '.join(addresses[:4])}")
    try:
        sock = socket.create_connection((settings.host, settings.port), timeout=settings.timeout)
    except Exception as exc:
        raise steps.failed("connect", _describe(exc, settings)) from None
    try:
        steps.passed("connect", _("Connected to %(where)s.", where=where))
        if settings.security != "ssl":
            return
        try:
            with tls_context(settings).wrap_socket(sock, server_hostname=settings.host) as tls:
                version = tls.version() or "TLS"
        except Exception as exc:
            raise steps.failed("tls", _describe(exc, settings)) from None
        steps.passed(
            "tls",
            _("Encrypted with %(version)s; the certificate is valid.", version=version)
            if settings.verify_tls
            else version,
        )
    finally:
        sock.close()


def _describe(exc: BaseException, settings: ServerSettings | None) -> str:
    """One line for people: what went wrong, with the server's words where it said any."""
    seconds = f"{settings.timeout:g}" if settings else "?"
    where = f"{settings.host}:{settings.port}" if settings else ""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return _(
            "The server's certificate is not accepted: %(reason)s",
            reason=exc.verify_message or exc.reason or str(exc),
        )
    if isinstance(exc, ssl.SSLError):
        return _(
            "The TLS handshake failed (%(reason)s). Is this port for SSL/TLS, "
            "or for STARTTLS or plain text?",
            reason=exc.reason or str(exc),
        )
    if isinstance(exc, ConnectionRefusedError):
        return _("Connection refused: nothing listens on %(where)s (wrong port?).", where=where)
    if isinstance(exc, TimeoutError | socket.timeout) or "timed out" in str(exc):
        return _(
            "No answer from %(where)s within %(seconds)s seconds (a firewall, or the "
            "wrong host or port).",
            where=where,
            seconds=seconds,
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{exc.smtp_code} {_server_words(exc.smtp_error)}"
    if isinstance(exc, smtplib.SMTPServerDisconnected | ConnectionResetError | EOFError):
        return _("The server closed the connection (%(reason)s).", reason=str(exc) or "EOF")
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror} ({where})"
    return _server_words(str(exc)) or type(exc).__name__


def _server_words(value: bytes | str) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, bytes) else value
    quoted = re.fullmatch(r"b(['\"])(.*)\1", text.strip(), flags=re.DOTALL)
    return (quoted.group(2) if quoted else text).strip()


def _no_starttls(settings: ServerSettings) -> str:
    return _(
        "The server does not offer STARTTLS on port %(port)s: choose SSL/TLS (usually "
        "port 993 for IMAP, 465 for SMTP) or check the port.",
        port=settings.port,
    )


def _tls_version(client: IMAPClient) -> str:
    sock = getattr(client._imap, "sock", None)  # only to name the TLS version
    return sock.version() if isinstance(sock, ssl.SSLSocket) else "TLS"


def _bounded(settings: ServerSettings) -> ServerSettings:
    return dataclasses.replace(settings, timeout=min(settings.timeout, MAX_TIMEOUT_SECONDS))


def _quietly(close: Callable[[], object]) -> None:
    with contextlib.suppress(Exception):  # closing after a test; its error is not the news
        close()
