"""The IMAP fetcher against a real Dovecot: new mail only, acknowledged after commit, leases,
UIDVALIDITY, IDLE."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from bench.email_corpus import simple
from kefu.channels.email import imap
from kefu.channels.email.models import Mailbox
from kefu.db import Database
from kefu.kit.clock import utcnow
from kefu.kit.filestore import FileStore
from kefu.tickets.models import Message
from tests.channels.email.conftest import SUPPORT, add_mailbox
from tests.channels.email.servers import KEYWORD, Dovecot


def stored_messages(database: Database) -> int:
    with database.unit_of_work() as session:
        return int(session.scalar(select(func.count()).select_from(Message)) or 0)


def mailbox_row(database: Database, mailbox_id: int) -> Mailbox:
    with database.unit_of_work() as session:
        return session.get_one(Mailbox, mailbox_id)


def fetch(database: Database, files: FileStore, dovecot: Dovecot, mailbox_id: int, **kw):
    return imap.fetch_once(
        database, files, mailbox_id=mailbox_id, server=dovecot.settings(SUPPORT), **kw
    )


def test_fetch_stores_new_mail_then_flags_it(
    database: Database, files: FileStore, dovecot: Dovecot, imap_folder: str, mailbox_id: int
) -> None:
    # given
    dovecot.append(SUPPORT, imap_folder, [simple(i) for i in range(5)])
    # when
    report = fetch(database, files, dovecot, mailbox_id, batch_size=2)
    # then
    assert (report.fetched, report.stored, report.duplicates, report.failed) == (5, 5, 0, 0)
    assert report.error is None and report.skipped is None
    assert stored_messages(database) == 5
    assert all(m.is_ingested for m in dovecot.read(SUPPORT, imap_folder))
    row = mailbox_row(database, mailbox_id)
    assert row.imap_last_uid == 5
    assert row.imap_uidvalidity is not None
    assert row.last_fetch_at is not None and row.last_error is None
    assert row.fetch_lease_owner is None  # released


def test_second_fetch_takes_only_what_is_new(
    database: Database, files: FileStore, dovecot: Dovecot, imap_folder: str, mailbox_id: int
) -> None:
    # given
    dovecot.append(SUPPORT, imap_folder, [simple(i) for i in range(3)])
    fetch(database, files, dovecot, mailbox_id)
    dovecot.append(SUPPORT, imap_folder, [simple(10)])
    # when
    report = fetch(database, files, dovecot, mailbox_id)
    again = fetch(database, files, dovecot, mailbox_id)
    # then
    assert (report.fetched, report.stored) == (1, 1)
    assert (again.fetched, again.stored) == (0, 0)
    assert stored_messages(database) == 4


def test_crash_between_commit_and_flag_stores_nothing_twice(
    database: Database,
    files: FileStore,
    dovecot: Dovecot,
    imap_folder: str,
    mailbox_id: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: the pipeline committed, then the connection died before the flags were set
    dovecot.append(SUPPORT, imap_folder, [simple(i) for i in range(4)])

    def connection_lost(*args: object, **kwargs: object) -> None:
        raise ConnectionResetError("connection reset by peer")

    with monkeypatch.context() as patch:
        patch.setattr(imap, "acknowledge", connection_lost)
        broken = fetch(database, files, dovecot, mailbox_id)
    assert broken.error == "ConnectionResetError: connection reset by peer"
    assert stored_messages(database) == 4
    assert not any(m.is_ingested for m in dovecot.read(SUPPORT, imap_folder))
    assert mailbox_row(database, mailbox_id).last_error == broken.error
    # when
    report = fetch(database, files, dovecot, mailbox_id)
    # then
    assert (report.fetched, report.stored, report.duplicates) == (4, 0, 4)
    assert stored_messages(database) == 4
    assert all(m.is_ingested for m in dovecot.read(SUPPORT, imap_folder))
    assert mailbox_row(database, mailbox_id).last_error is None


def test_archive_folder_gets_the_fetched_mail(
    database: Database, files: FileStore, dovecot: Dovecot, imap_folder: str
) -> None:
    # given
    archive = dovecot.create_folder(SUPPORT, "archive")
    try:
        mailbox_id = add_mailbox(database, folder=imap_folder, archive_folder=archive)
        dovecot.append(SUPPORT, imap_folder, [simple(i) for i in range(3)])
        # when
        report = fetch(database, files, dovecot, mailbox_id)
        # then
        assert report.stored == 3
        assert dovecot.count(SUPPORT, imap_folder) == 0
        moved = dovecot.read(SUPPORT, archive)
        assert len(moved) == 3 and all(m.is_ingested for m in moved)
    finally:
        dovecot.delete_folder(SUPPORT, archive)


def test_uidvalidity_change_starts_over_without_duplicates(
    database: Database, files: FileStore, dovecot: Dovecot, imap_folder: str, mailbox_id: int
) -> None:
    # given: progress recorded against another UIDVALIDITY, unflagged mail on the server
    dovecot.append(SUPPORT, imap_folder, [simple(i) for i in range(3)])
    fetch(database, files, dovecot, mailbox_id)
    with dovecot.imap(SUPPORT) as client:
        client.select_folder(imap_folder)
        client.remove_flags(client.search("ALL"), [KEYWORD])
    with database.unit_of_work() as session:
        session.execute(
            update(Mailbox)
            .where(Mailbox.id == mailbox_id)
            .values(imap_uidvalidity=1, imap_last_uid=999)
        )
    # when
    report = fetch(database, files, dovecot, mailbox_id)
    # then
    assert report.uidvalidity_reset is True
    assert (report.fetched, report.stored, report.duplicates) == (3, 0, 3)
    assert stored_messages(database) == 3
    assert mailbox_row(database, mailbox_id).imap_last_uid == 3


def test_a_leased_mailbox_is_left_alone(
    database: Database, files: FileStore, dovecot: Dovecot, imap_folder: str, mailbox_id: int
) -> None:
    # given: another process holds the lease
    dovecot.append(SUPPORT, imap_folder, [simple(1)])
    assert imap.acquire_lease(database, mailbox_id=mailbox_id, owner="other:1")
    # when
    report = fetch(database, files, dovecot, mailbox_id)
    # then
    assert report.skipped == "another process is fetching this mailbox"
    assert stored_messages(database) == 0
    assert mailbox_row(database, mailbox_id).fetch_lease_owner == "other:1"


def test_an_expired_lease_is_taken_over(database: Database, mailbox_id: int) -> None:
    # given
    past = utcnow() - timedelta(seconds=imap.LEASE_SECONDS + 1)
    assert imap.acquire_lease(database, mailbox_id=mailbox_id, owner="dead:1", now=past)
    # when / then
    assert imap.acquire_lease(database, mailbox_id=mailbox_id, owner="alive:2")
    assert not imap.acquire_lease(database, mailbox_id=mailbox_id, owner="dead:1")
    assert mailbox_row(database, mailbox_id).fetch_lease_owner == "alive:2"


def test_implicit_tls_port_works(
    database: Database, files: FileStore, dovecot: Dovecot, imap_folder: str, mailbox_id: int
) -> None:
    dovecot.append(SUPPORT, imap_folder, [simple(1)])
    report = imap.fetch_once(
        database, files, mailbox_id=mailbox_id, server=dovecot.settings(SUPPORT, security="ssl")
    )
    assert report.stored == 1


def test_wrong_password_is_reported_on_the_mailbox(
    database: Database, files: FileStore, dovecot: Dovecot, mailbox_id: int
) -> None:
    # given
    server = dovecot.settings(SUPPORT)
    bad = type(server)(**{**{f: getattr(server, f) for f in server.__slots__}, "secret": "no"})
    # when
    report = imap.fetch_once(database, files, mailbox_id=mailbox_id, server=bad)
    # then
    assert report.error is not None and "LoginError" in report.error
    row = mailbox_row(database, mailbox_id)
    assert row.last_error == report.error and row.last_error_at is not None
    assert row.fetch_lease_owner is None


def test_watch_idles_and_takes_new_mail_at_once(
    database: Database, files: FileStore, dovecot: Dovecot, imap_folder: str, mailbox_id: int
) -> None:
    # given: a watcher idling on an empty folder, polling only once an hour
    stop = threading.Event()
    reports: list[imap.FetchReport] = []
    watcher = threading.Thread(
        target=imap.watch,
        kwargs={
            "database": database,
            "files": files,
            "mailbox_id": mailbox_id,
            "stop": stop,
            "server": dovecot.settings(SUPPORT),
            "poll_seconds": 3600,
            "on_report": reports.append,
        },
        daemon=True,
    )
    watcher.start()
    try:
        wait_until(lambda: len(reports) >= 1)
        # when
        dovecot.append(SUPPORT, imap_folder, [simple(2), simple(3)])
        # then
        wait_until(lambda: stored_messages(database) == 2)
    finally:
        stop.set()
        watcher.join(timeout=10)
    assert not watcher.is_alive()
    assert all(m.is_ingested for m in dovecot.read(SUPPORT, imap_folder))
    assert mailbox_row(database, mailbox_id).fetch_lease_owner is None


def wait_until(condition: object, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)
