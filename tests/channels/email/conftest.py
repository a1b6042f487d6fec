"""Email test fixtures: the Dovecot scripts/test starts (IMAP, LMTP), a capturing SMTP server
that delivers into Dovecot, a folder per test, a mailbox row pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kefu.channels.email.models import Mailbox
from kefu.db import Database
from kefu.kit.filestore import FileStore
from tests.channels.email.servers import CaptureSMTP, Dovecot, self_signed_cert
from tests.conftest import _missing, free_port

SUPPORT = "support@example.com"
CUSTOMER = "customer@example.com"
AGENT = "agent@example.com"


@pytest.fixture(scope="session")
def dovecot() -> Dovecot:
    """The test Dovecot; tests that need it skip without it (scripts/test always starts it)."""
    found = Dovecot.from_env()
    if found is None:
        _missing("KEFU_TEST_IMAP_HOST")
    assert found is not None
    return found


@pytest.fixture
def imap_folder(dovecot: Dovecot) -> Iterator[str]:
    """A fresh folder in support@example.com's account, deleted afterwards."""
    folder = dovecot.create_folder(SUPPORT)
    yield folder
    dovecot.delete_folder(SUPPORT, folder)


@pytest.fixture
def files(tmp_path: Path) -> FileStore:
    return FileStore(tmp_path / "files")


def add_mailbox(
    database: Database,
    *,
    address: str = SUPPORT,
    folder: str = "INBOX",
    archive_folder: str | None = None,
    dovecot: Dovecot | None = None,
) -> int:
    with database.unit_of_work() as session:
        mailbox = Mailbox(
            name="Support",
            address=address,
            imap_host=dovecot.host if dovecot else "",
            imap_port=dovecot.imap_port if dovecot else 993,
            imap_security="starttls",
            imap_username=address,
            imap_folder=folder,
            imap_archive_folder=archive_folder,
        )
        session.add(mailbox)
        session.flush()
        return mailbox.id


@pytest.fixture
def mailbox_id(database: Database, dovecot: Dovecot, imap_folder: str) -> int:
    """A mailbox fetching this test's folder of support@example.com."""
    return add_mailbox(database, folder=imap_folder, dovecot=dovecot)


@pytest.fixture(scope="session")
def smtp_cert(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed_cert(tmp_path_factory.mktemp("smtp-cert"))


@pytest.fixture
def smtp_capture(dovecot: Dovecot) -> Iterator[CaptureSMTP]:
    """An SMTP server on loopback (no TLS, no AUTH) delivering into Dovecot."""
    server = CaptureSMTP(dovecot, port=free_port()).start()
    yield server
    server.stop()


@pytest.fixture
def smtp_capture_auth(dovecot: Dovecot, smtp_cert: tuple[Path, Path]) -> Iterator[CaptureSMTP]:
    """Like smtp_capture, but AUTH PLAIN/LOGIN (user "kefu", password "smtp-secret") is
    required, and offered only after STARTTLS."""
    server = CaptureSMTP(
        dovecot, port=free_port(), users={"kefu": "smtp-secret"}, tls_cert=smtp_cert
    ).start()
    yield server
    server.stop()
