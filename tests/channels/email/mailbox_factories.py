"""Mailbox test data made through the service, and loopback servers the mailbox tests share."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from kefu.channels.email import mailboxes
from kefu.channels.email.models import Mailbox
from kefu.channels.email.schemas import MailboxCreate
from kefu.db import Database
from kefu.kit.actor import Actor

# The instance key of tests/conftest.py's `settings`, so pages and services agree.
KEY = "test-secret-key-" + "x" * 32


def make_mailbox(database: Database, *, key: str = KEY, **fields: Any) -> Mailbox:
    values: dict[str, Any] = {
        "name": "Support",
        "address": "support@shop.example",
        "imap_host": "imap.shop.example",
        "imap_username": "support@shop.example",
        "imap_password": "imap-pass-123",
        "smtp_host": "smtp.shop.example",
        "smtp_username": "support@shop.example",
        "smtp_password": "smtp-pass-456",
        **fields,
    }
    with database.unit_of_work(actor=Actor.system()) as session:
        return mailboxes.create_mailbox(
            session, actor=Actor.system(), data=MailboxCreate.model_validate(values), key=key
        )


class TokenEndpoint:
    """A provider's OAuth token endpoint on loopback: answers each POST with the next
    (status, JSON) in `answers` and records the form it was sent."""

    def __init__(self, answers: list[tuple[int, Any]]) -> None:
        self.answers = answers
        self.requests: list[dict[str, str]] = []
        self.content_types: list[str] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                form = parse_qs(self.rfile.read(length).decode("ascii"))
                endpoint.requests.append({k: v[0] for k, v in form.items()})
                endpoint.content_types.append(self.headers.get("Content-Type", ""))
                status, body = endpoint.answers.pop(0)
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                kind = "text/html" if isinstance(body, bytes) else "application/json"
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/token"

    def __enter__(self) -> TokenEndpoint:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def tcp_server(handle: Callable[[socket.socket], None]) -> Iterator[int]:
    """A loopback TCP listener that runs `handle` on every connection it accepts."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()
    threads: list[threading.Thread] = []

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            worker = threading.Thread(target=_run, args=(handle, conn), daemon=True)
            threads.append(worker)
            worker.start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        listener.close()
        for worker in threads:
            worker.join(timeout=5)


def _run(handle: Callable[[socket.socket], None], conn: socket.socket) -> None:
    with conn, suppress(OSError):
        handle(conn)


def self_signed_context(tmp_path: Path, *, name: str = "mail.shop.example") -> ssl.SSLContext:
    """A server TLS context with a self-signed certificate for `name` (and 127.0.0.1)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName(name), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


class _Sink:
    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        return "250 OK"


@contextmanager
def smtp_server(
    *,
    users: dict[str, str] | None = None,
    ssl_context: ssl.SSLContext | None = None,
    starttls_context: ssl.SSLContext | None = None,
) -> Iterator[int]:
    """A real aiosmtpd SMTP server on loopback; with `users` it offers AUTH LOGIN/PLAIN
    (also before TLS) and accepts exactly those passwords."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    def authenticator(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        known = users or {}
        ok = isinstance(auth_data, LoginPassword) and (
            known.get(auth_data.login.decode()) == auth_data.password.decode()
        )
        return AuthResult(success=ok, handled=False)

    options: dict[str, Any] = {}
    if users is not None:
        options.update(authenticator=authenticator, auth_require_tls=False)
    if starttls_context is not None:
        options["tls_context"] = starttls_context
    port = closed_port()
    controller = Controller(
        _Sink(),
        hostname="127.0.0.1",
        port=port,
        ssl_context=ssl_context,
        server_hostname="mail.shop.example",
        **options,
    )
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
