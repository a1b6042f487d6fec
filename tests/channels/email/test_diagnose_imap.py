"""The IMAP connection test: failure steps against scripted loopback servers, the whole way
against Dovecot when the test script started one (KEFU_TEST_IMAP_HOST)."""

import os
import socket
from collections.abc import Callable

import pytest

from kefu.channels.email.diagnose import Step, check_imap
from kefu.channels.email.transport import ServerSettings
from tests.channels.email.mailbox_factories import closed_port, tcp_server


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


def imap_script(
    *, capabilities: str = "IMAP4rev1 LOGIN-REFERRALS AUTH=PLAIN", folders: tuple[str, ...] = ()
) -> Callable[[socket.socket], None]:
    """A scripted IMAP server: the password "right password" signs in; LIST answers
    `folders`; EXAMINE finds 3 messages."""

    def handle(conn: socket.socket) -> None:
        stream = conn.makefile("rwb")
        stream.write(b"* OK IMAP4rev1 Service Ready\r\n")
        stream.flush()
        for raw in stream:
            tag, command, *rest = [*raw.decode("latin-1").rstrip("\r\n").split(" ", 2), ""][:3]
            command = command.upper()
            if command == "CAPABILITY":
                reply = f"* CAPABILITY {capabilities}\r\n{tag} OK CAPABILITY completed\r\n"
            elif command == "LOGIN":
                good = rest and rest[0].endswith('"right password"')
                reply = (
                    f"{tag} OK LOGIN completed\r\n"
                    if good
                    else f"{tag} NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"
                )
            elif command == "LIST":
                lines = [f'* LIST (\\HasNoChildren) "/" "{name}"\r\n' for name in folders]
                reply = "".join(lines) + f"{tag} OK LIST completed\r\n"
            elif command == "EXAMINE":
                reply = (
                    "* FLAGS (\\Seen)\r\n* 3 EXISTS\r\n* 0 RECENT\r\n"
                    "* OK [UIDVALIDITY 7] UIDs valid\r\n"
                    f"{tag} OK [READ-ONLY] EXAMINE completed\r\n"
                )
            elif command == "LOGOUT":
                stream.write(f"* BYE\r\n{tag} OK LOGOUT completed\r\n".encode())
                stream.flush()
                return
            else:
                reply = f"{tag} BAD unknown command\r\n"
            stream.write(reply.encode())
            stream.flush()

    return handle


def test_signing_in_and_opening_the_folders() -> None:
    with tcp_server(imap_script(folders=("INBOX", "Archive", "Sent"))) as port:
        steps = check_imap(_settings(port), folder="INBOX", archive_folder="Archive")
    assert _names(steps) == [
        ("dns", True),
        ("connect", True),
        ("greeting", True),
        ("login", True),
        ("folder", True),
        ("archive_folder", True),
    ]
    assert steps[2].detail == "* OK IMAP4rev1 Service Ready"
    assert steps[4].detail == "“INBOX” opened: 3 messages."


def test_a_refused_login_shows_the_servers_words() -> None:
    with tcp_server(imap_script()) as port:
        steps = check_imap(_settings(port, secret="wrong"))
    assert _names(steps)[-1] == ("login", False)
    assert steps[-1].detail == (
        "The server refused the sign-in as support@shop.example: "
        "[AUTHENTICATIONFAILED] Authentication failed."
    )


def test_a_missing_folder_lists_the_folders_there_are() -> None:
    with tcp_server(imap_script(folders=("INBOX", "Sent", "Support/Orders"))) as port:
        steps = check_imap(_settings(port), folder="Support")
    assert _names(steps)[-1] == ("folder", False)
    assert steps[-1].detail == (
        "The folder “Support” does not exist. Folders on the server: INBOX, Sent, Support/Orders"
    )


def test_a_missing_archive_folder_fails_after_the_inbox_opened() -> None:
    with tcp_server(imap_script(folders=("INBOX",))) as port:
        steps = check_imap(_settings(port), archive_folder="Done")
    assert _names(steps)[-2:] == [("folder", True), ("archive_folder", False)]
    assert steps[-1].detail == "The folder “Done” does not exist. Folders on the server: INBOX"


def test_starttls_not_offered() -> None:
    with tcp_server(imap_script()) as port:
        steps = check_imap(_settings(port, security="starttls"))
    assert _names(steps)[-1] == ("starttls", False)
    assert steps[-1].detail.startswith(f"The server does not offer STARTTLS on port {port}")


def test_oauth2_sign_in_needs_the_server_to_offer_xoauth2() -> None:
    with tcp_server(imap_script()) as port:
        steps = check_imap(_settings(port, auth_kind="xoauth2", secret="token"))
    assert steps[-1] == Step("login", False, "The server does not offer AUTH=XOAUTH2 sign-in.")


def test_a_closed_port_is_connection_refused() -> None:
    port = closed_port()
    steps = check_imap(_settings(port))
    assert _names(steps) == [("dns", True), ("connect", False)]
    assert steps[-1].detail == (
        f"Connection refused: nothing listens on 127.0.0.1:{port} (wrong port?)."
    )


def _nonsense(conn: socket.socket) -> None:
    conn.sendall(b"220 smtp.shop.example ESMTP ready\r\n")
    conn.recv(100)


def test_an_smtp_port_given_as_imap_fails_at_the_greeting() -> None:
    with tcp_server(_nonsense) as port:
        steps = check_imap(_settings(port))
    assert _names(steps) == [("dns", True), ("connect", True), ("greeting", False)]
    assert "220 smtp.shop.example ESMTP ready" in steps[-1].detail


def _closes(conn: socket.socket) -> None:
    conn.close()


def test_a_server_that_hangs_up_fails_at_the_greeting() -> None:
    with tcp_server(_closes) as port:
        steps = check_imap(_settings(port))
    assert _names(steps) == [("dns", True), ("connect", True), ("greeting", False)]


def test_ssl_against_a_plain_port_fails_at_the_tls_step() -> None:
    with tcp_server(imap_script()) as port:
        steps = check_imap(_settings(port, security="ssl"))
    assert _names(steps) == [("dns", True), ("connect", True), ("tls", False)]
    assert steps[-1].detail.startswith("The TLS handshake failed (")


DOVECOT = os.environ.get("KEFU_TEST_IMAP_HOST")


@pytest.mark.skipif(not DOVECOT, reason="KEFU_TEST_IMAP_HOST not set: Dovecot not started")
def test_dovecot_passes_every_step() -> None:
    settings = ServerSettings(
        host=DOVECOT or "",
        port=int(os.environ.get("KEFU_TEST_IMAP_PORT", "143")),
        security="none",
        username="support@example.com",
        secret=os.environ.get("KEFU_TEST_IMAP_PASSWORD", "support"),
        verify_tls=False,
        timeout=5.0,
    )
    steps = check_imap(settings, folder="INBOX")
    assert all(step.ok for step in steps), steps
    assert [step.name for step in steps][-2:] == ["login", "folder"]
    wrong = check_imap(_wrong(settings))
    assert _names(wrong)[-1] == ("login", False)


def _wrong(settings: ServerSettings) -> ServerSettings:
    import dataclasses

    return dataclasses.replace(settings, secret="not the password")
