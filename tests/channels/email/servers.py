"""Real mail servers on loopback for the email tests: the Dovecot that scripts/test starts
(IMAP, LMTP) and an aiosmtpd SMTP server that captures outbound mail and delivers it into
Dovecot by LMTP, so "the reply arrives in the customer's mailbox" is literally true."""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import smtplib
import ssl
import threading
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from imapclient import IMAPClient

from kefu.channels.email.transport import Security, ServerSettings, open_imap

KEYWORD = b"$KefuIngested"


@dataclass(frozen=True, slots=True)
class Dovecot:
    """Where the test Dovecot listens; every user (support@, customer@, agent@,
    spare1@..spare9@, at example.test and at example.com) has the same password. Use the
    example.com ones as customers: kefu refuses .test addresses (a special-use domain)."""

    host: str
    imap_port: int
    imaps_port: int
    lmtp_port: int
    password: str

    @classmethod
    def from_env(cls) -> Dovecot | None:
        host = os.environ.get("KEFU_TEST_IMAP_HOST")
        if not host:
            return None
        return cls(
            host=host,
            imap_port=int(os.environ["KEFU_TEST_IMAP_PORT"]),
            imaps_port=int(os.environ["KEFU_TEST_IMAPS_PORT"]),
            lmtp_port=int(os.environ["KEFU_TEST_LMTP_PORT"]),
            password=os.environ["KEFU_TEST_IMAP_PASSWORD"],
        )

    def settings(self, user: str, *, security: Security = "starttls") -> ServerSettings:
        """IMAP settings for `user` (the certificate is self-signed: no verification)."""
        port = self.imaps_port if security == "ssl" else self.imap_port
        return ServerSettings(
            host=self.host,
            port=port,
            security=security,
            username=user,
            secret=self.password,
            verify_tls=False,
            timeout=30,
        )

    @contextlib.contextmanager
    def imap(self, user: str) -> Iterator[IMAPClient]:
        client = open_imap(self.settings(user))
        try:
            yield client
        finally:
            with contextlib.suppress(Exception):
                client.logout()

    def create_folder(self, user: str, prefix: str = "t") -> str:
        """A fresh folder of its own for one test (tests share the users, never a folder)."""
        name = f"{prefix}-{uuid.uuid4().hex[:12]}"
        with self.imap(user) as client:
            client.create_folder(name)
        return name

    def delete_folder(self, user: str, folder: str) -> None:
        with self.imap(user) as client, contextlib.suppress(Exception):
            client.delete_folder(folder)

    def append(
        self, user: str, folder: str, messages: Iterable[bytes], *, flags: Iterable[bytes] = ()
    ) -> int:
        """Put raw messages into a folder by IMAP APPEND; returns how many."""
        count = 0
        with self.imap(user) as client:
            for raw in messages:
                client.append(folder, raw, flags=tuple(flags), msg_time=None)
                count += 1
        return count

    def deliver(
        self, recipients: list[str], raw: bytes, *, sender: str = ""
    ) -> dict[str, tuple[int, bytes]]:
        """Deliver by LMTP into the recipients' INBOXes; returns the refused recipients."""
        replies = lmtp_send("127.0.0.1", self.lmtp_port, sender, recipients, raw)
        return {rcpt: reply for rcpt, reply in replies.items() if reply[0] >= 400}

    def read(self, user: str, folder: str = "INBOX", criteria: Any = "ALL") -> list[Stored]:
        """Every message of a folder matching `criteria`, with its flags and bytes."""
        with self.imap(user) as client:
            client.select_folder(folder, readonly=True)
            uids = client.search(criteria)
            if not uids:
                return []
            rows = client.fetch(uids, [b"FLAGS", b"BODY.PEEK[]"])
        return [
            Stored(uid=uid, flags=frozenset(row[b"FLAGS"]), raw=row[b"BODY[]"])
            for uid, row in sorted(rows.items())
        ]

    def count(self, user: str, folder: str) -> int:
        with self.imap(user) as client:
            return int(client.folder_status(folder, [b"MESSAGES"])[b"MESSAGES"])


def lmtp_send(
    host: str, port: int, sender: str, recipients: list[str], raw: bytes
) -> dict[str, tuple[int, bytes]]:
    """One LMTP transaction; the server's reply for every recipient (at RCPT or after DATA).
    smtplib.LMTP.sendmail reads only the first of LMTP's per-recipient DATA replies."""
    replies: dict[str, tuple[int, bytes]] = {}
    with smtplib.LMTP(host, port, timeout=30) as lmtp:
        lmtp.ehlo_or_helo_if_needed()
        code, text = lmtp.mail(sender)
        if code != 250:
            return dict.fromkeys(recipients, (code, text))
        accepted = []
        for rcpt in recipients:
            reply = lmtp.rcpt(rcpt)
            if reply[0] in (250, 251):
                accepted.append(rcpt)
            else:
                replies[rcpt] = reply
        if not accepted:
            lmtp.rset()
            return replies
        replies[accepted[0]] = lmtp.data(raw)
        for rcpt in accepted[1:]:
            replies[rcpt] = lmtp.getreply()
    return replies


@dataclass(frozen=True, slots=True)
class Stored:
    uid: int
    flags: frozenset[bytes]
    raw: bytes

    @property
    def is_ingested(self) -> bool:
        return KEYWORD in self.flags and b"\\Seen" in self.flags


@dataclass(slots=True)
class Captured:
    mail_from: str
    recipients: list[str]
    raw: bytes
    username: str | None  # who signed in (AUTH), None without AUTH


@dataclass
class CaptureHandler:
    """aiosmtpd handler: records every accepted mail and delivers it into Dovecot by LMTP
    (recipients @example.test, @example.com) so tests read it back from the customer's mailbox.
    `refuse(code, text, times)` makes the next DATA (or RCPT, `at="rcpt"`) answer an error."""

    dovecot: Dovecot | None
    mails: list[Captured] = field(default_factory=list)
    _faults: list[tuple[str, str]] = field(default_factory=list)  # (stage, "451 text")
    _lock: threading.Lock = field(default_factory=threading.Lock)
    received: threading.Condition = field(default_factory=threading.Condition)

    def refuse(self, code: int, text: str, *, times: int = 1, at: str = "data") -> None:
        with self._lock:
            self._faults.extend([(at, f"{code} {text}")] * times)

    def _fault(self, stage: str) -> str | None:
        with self._lock:
            for index, (at, reply) in enumerate(self._faults):
                if at == stage:
                    del self._faults[index]
                    return reply
        return None

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        fault = self._fault("rcpt")
        if fault:
            return fault
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        fault = self._fault("data")
        if fault:
            return fault
        raw = envelope.original_content or b""
        local = [
            r for r in envelope.rcpt_tos if r.lower().endswith(("@example.test", "@example.com"))
        ]
        if local and self.dovecot is not None:
            refused = self.dovecot.deliver(local, raw, sender=envelope.mail_from or "")
            if refused:
                code, text = next(iter(refused.values()))
                return f"{code} {text.decode(errors='replace')}"
        login = session.auth_data
        username = login.login.decode() if isinstance(login, LoginPassword) else None
        with self.received:
            self.mails.append(
                Captured(envelope.mail_from or "", list(envelope.rcpt_tos), raw, username)
            )
            self.received.notify_all()
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float = 10) -> list[Captured]:
        with self.received:
            self.received.wait_for(lambda: len(self.mails) >= count, timeout=timeout)
            return list(self.mails)


class CaptureSMTP:
    """The SMTP server outbound mail goes to in tests. With `users`, AUTH PLAIN/LOGIN is
    required and only offered after STARTTLS."""

    def __init__(
        self,
        dovecot: Dovecot | None,
        *,
        port: int,
        users: dict[str, str] | None = None,
        tls_cert: tuple[Path, Path] | None = None,
    ) -> None:
        self.handler = CaptureHandler(dovecot)
        self.users = users
        kwargs: dict[str, Any] = {}
        if tls_cert is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls_cert[0]), str(tls_cert[1]))
            kwargs["tls_context"] = context
        if users is not None:
            kwargs.update(
                authenticator=self._authenticate,
                auth_required=True,
                require_starttls=tls_cert is not None,
            )
        self.port = port
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=port, ready_timeout=10, **kwargs
        )

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and self.users is not None
            and self.users.get(data.login.decode()) == data.password.decode()
        )
        return AuthResult(success=ok, handled=False)

    def start(self) -> CaptureSMTP:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()

    def server_settings(
        self, *, username: str = "", password: str = "", security: Security = "none"
    ) -> ServerSettings:
        return ServerSettings(
            host="127.0.0.1",
            port=self.port,
            security=security,
            username=username,
            secret=password,
            verify_tls=False,
            timeout=10,
        )

    @property
    def mails(self) -> list[Captured]:
        return self.handler.mails


def self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1/localhost: (cert.pem, key.pem)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path
