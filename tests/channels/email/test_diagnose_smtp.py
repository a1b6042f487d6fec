"""The SMTP connection test against real servers on loopback: aiosmtpd, with and without
sign-in and TLS, a closed port, a listener that talks nonsense and one that says nothing."""

import socket
import time
from pathlib import Path

from kefu.channels.email.diagnose import Step, check_smtp
from kefu.channels.email.transport import ServerSettings
from tests.channels.email.mailbox_factories import (
    closed_port,
    self_signed_context,
    smtp_server,
    tcp_server,
)

USERS = {"support@shop.example": "right password"}


def _settings(port: int, **overrides: object) -> ServerSettings:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "username": "support@shop.example",
        "secret": "right password",
        "timeout": 3.0,
        **overrides,
    }
    return ServerSettings(**values)  # type: ignore[arg-type]


def _names(steps: list[Step]) -> list[tuple[str, bool]]:
    return [(step.name, step.ok) for step in steps]


def test_a_working_server_passes_every_step() -> None:
    with smtp_server(users=USERS) as port:
        steps = check_smtp(_settings(port))
    assert _names(steps) == [("dns", True), ("connect", True), ("greeting", True), ("login", True)]
    assert steps[0].detail == "127.0.0.1 → 127.0.0.1"
    assert steps[1].detail == f"Connected to 127.0.0.1:{port}."
    assert steps[2].detail.startswith("220 mail.shop.example")
    assert steps[3].detail == "Signed in as support@shop.example."


def test_a_wrong_password_shows_the_servers_words() -> None:
    with smtp_server(users=USERS) as port:
        steps = check_smtp(_settings(port, secret="wrong password"))
    assert _names(steps)[-1] == ("login", False)
    assert steps[-1].detail == (
        "The server refused the sign-in as support@shop.example: "
        "535 5.7.8 Authentication credentials invalid"
    )


def test_a_server_without_smtp_auth_says_so_and_hints_at_starttls() -> None:
    with smtp_server() as port:
        steps = check_smtp(_settings(port))
    assert _names(steps)[-1] == ("login", False)
    assert steps[-1].detail == (
        "The server does not offer SMTP AUTH (sign-in). "
        "Many servers offer it only after STARTTLS: choose STARTTLS."
    )


def test_no_username_sends_without_signing_in() -> None:
    with smtp_server() as port:
        steps = check_smtp(_settings(port, username="", secret=""))
    assert steps[-1] == Step("login", True, "No username set: mail is sent without signing in.")


def test_starttls_not_offered() -> None:
    with smtp_server(users=USERS) as port:
        steps = check_smtp(_settings(port, security="starttls"))
    assert _names(steps)[-1] == ("starttls", False)
    assert steps[-1].detail == (
        f"The server does not offer STARTTLS on port {port}: choose SSL/TLS (usually port 993 "
        "for IMAP, 465 for SMTP) or check the port."
    )


def test_starttls_with_an_untrusted_certificate_names_the_reason(tmp_path: Path) -> None:
    context = self_signed_context(tmp_path)
    with smtp_server(users=USERS, starttls_context=context) as port:
        refused = check_smtp(_settings(port, security="starttls"))
        trusted = check_smtp(_settings(port, security="starttls", verify_tls=False))
    assert _names(refused)[-1] == ("starttls", False)
    assert refused[-1].detail == (
        "The server's certificate is not accepted: self-signed certificate"
    )
    assert _names(trusted) == [
        ("dns", True),
        ("connect", True),
        ("greeting", True),
        ("starttls", True),
        ("login", True),
    ]
    assert trusted[3].detail.startswith("Encrypted with TLSv1.")


def test_ssl_port_with_an_untrusted_certificate_fails_at_the_tls_step(tmp_path: Path) -> None:
    context = self_signed_context(tmp_path, name="other.example")
    with smtp_server(users=USERS, ssl_context=context) as port:
        refused = check_smtp(_settings(port, security="ssl"))
        trusted = check_smtp(_settings(port, security="ssl", verify_tls=False))
    assert _names(refused) == [("dns", True), ("connect", True), ("tls", False)]
    assert refused[-1].detail == (
        "The server's certificate is not accepted: self-signed certificate"
    )
    assert _names(trusted) == [
        ("dns", True),
        ("connect", True),
        ("tls", True),
        ("greeting", True),
        ("login", True),
    ]


def test_ssl_against_a_plain_text_port_says_the_port_may_be_for_starttls() -> None:
    with smtp_server(users=USERS) as port:
        steps = check_smtp(_settings(port, security="ssl"))
    assert _names(steps) == [("dns", True), ("connect", True), ("tls", False)]
    assert steps[-1].detail.startswith("The TLS handshake failed (")
    assert steps[-1].detail.endswith("Is this port for SSL/TLS, or for STARTTLS or plain text?")


def test_a_closed_port_is_connection_refused() -> None:
    port = closed_port()
    steps = check_smtp(_settings(port))
    assert _names(steps) == [("dns", True), ("connect", False)]
    assert steps[-1].detail == (
        f"Connection refused: nothing listens on 127.0.0.1:{port} (wrong port?)."
    )


def test_an_unknown_host_fails_at_dns() -> None:
    steps = check_smtp(_settings(25, host="mail.shop.invalid"))
    assert _names(steps) == [("dns", False)]
    assert steps[0].detail.startswith("The name mail.shop.invalid cannot be resolved: ")


def _nonsense(conn: socket.socket) -> None:
    conn.sendall(b"554 No SMTP service here\r\n")
    conn.recv(100)


def test_a_server_refusing_service_fails_at_the_greeting() -> None:
    with tcp_server(_nonsense) as port:
        steps = check_smtp(_settings(port))
    assert _names(steps) == [("dns", True), ("connect", True), ("greeting", False)]
    assert steps[-1].detail == (
        "The server did not greet with 220 (ready): 554 No SMTP service here"
    )


def _silent(conn: socket.socket) -> None:
    time.sleep(1.5)


def test_a_server_that_says_nothing_times_out_at_the_greeting() -> None:
    with tcp_server(_silent) as port:
        steps = check_smtp(_settings(port, timeout=0.5))
    assert _names(steps) == [("dns", True), ("connect", True), ("greeting", False)]
    assert steps[-1].detail == (
        f"No answer from 127.0.0.1:{port} within 0.5 seconds (a firewall, or the wrong host "
        "or port)."
    )
