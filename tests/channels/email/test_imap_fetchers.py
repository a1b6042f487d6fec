"""The fetchers `kefu serve` runs in-process: one watcher per active mailbox, stoppable."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from bench.email_corpus import simple
from kefu.channels.email.fetchers import Fetchers, fetchable_mailboxes
from kefu.channels.email.models import Mailbox
from kefu.config import Settings
from kefu.db import Database
from kefu.kit import secretbox
from kefu.kit.filestore import FileStore
from kefu.tickets.models import Message
from tests.channels.email.conftest import SUPPORT, add_mailbox
from tests.channels.email.servers import Dovecot


def test_fetchers_fetch_active_mailboxes_and_stop(
    database: Database, files: FileStore, settings: Settings, dovecot: Dovecot, imap_folder: str
) -> None:
    # given: an active mailbox saved as an admin would (password encrypted), and one switched off
    mailbox_id = add_mailbox(database, folder=imap_folder, dovecot=dovecot)
    off = add_mailbox(database, address="old@example.com", folder=imap_folder, dovecot=dovecot)
    with database.unit_of_work() as session:
        mailbox = session.get_one(Mailbox, mailbox_id)
        mailbox.imap_security = "none"  # plain IMAP on loopback: no certificate to verify
        mailbox.imap_secret_enc = secretbox.encrypt(dovecot.password, key=str(settings.secret_key))
        session.get_one(Mailbox, off).is_active = False
    dovecot.append(SUPPORT, imap_folder, [simple(1), simple(2)])
    assert fetchable_mailboxes(database) == [mailbox_id]
    # when
    fetchers = Fetchers(database, files, settings=settings).start()
    try:
        deadline = time.monotonic() + 20
        while count(database) < 2:
            assert time.monotonic() < deadline, "not fetched in time"
            time.sleep(0.05)
    finally:
        started = time.monotonic()
        fetchers.stop()
    # then: stopped promptly, the lease given back, every message flagged
    assert time.monotonic() - started < 5
    with database.unit_of_work() as session:
        assert session.get_one(Mailbox, mailbox_id).fetch_lease_owner is None
    assert all(m.is_ingested for m in dovecot.read(SUPPORT, imap_folder))


def count(database: Database) -> int:
    with database.unit_of_work() as session:
        return int(session.scalar(select(func.count()).select_from(Message)) or 0)
