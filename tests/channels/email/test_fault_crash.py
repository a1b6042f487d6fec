"""SIGKILL the fetching process in the middle of a 500-message mailbox, restart it: every
message is in kefu exactly once and every one is flagged on the server."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from bench.email_corpus import generate
from kefu.channels.email.models import InboundFailure
from kefu.config import Settings
from kefu.db import Database
from kefu.kit import secretbox
from kefu.tickets.models import Message
from tests.channels.email.conftest import SUPPORT, add_mailbox
from tests.channels.email.servers import Dovecot

pytestmark = pytest.mark.slow
MESSAGES = 500


def stored(database: Database) -> tuple[int, int, int]:
    """(ticket messages, distinct source ids, inbound failures). On SQLite it reads through a
    plain read-only connection: kefu's own sessions take the write lock at BEGIN, and a
    fetcher committing batch after batch would keep the watching test waiting to the end."""
    if database.backend == "sqlite":
        path = database.engine.url.database
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            total, distinct = db.execute(
                "SELECT count(*), count(DISTINCT source_id) FROM messages"
            ).fetchone()
            (failures,) = db.execute("SELECT count(*) FROM inbound_email_failures").fetchone()
        return int(total), int(distinct), int(failures)
    with database.unit_of_work() as session:
        total = session.scalar(select(func.count()).select_from(Message))
        distinct = session.scalar(select(func.count(func.distinct(Message.source_id))))
        failures = session.scalar(select(func.count()).select_from(InboundFailure))
    return int(total or 0), int(distinct or 0), int(failures or 0)


def run_fetch(settings: Settings, mailbox_id: int, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.channels.email.kefu_child",
            "email",
            "fetch",
            "--mailbox",
            str(mailbox_id),
            "--batch",
            "25",
        ],
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("KEFU_")},
            "KEFU_DATABASE_URL": settings.database_url,
            "KEFU_DATA_DIR": str(settings.data_dir),
            "KEFU_SECRET_KEY": str(settings.secret_key),
            "KEFU_LOG_LEVEL": "warning",
            **env,
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.fixture
def full_mailbox(database: Database, settings: Settings, dovecot: Dovecot, imap_folder: str) -> int:
    """A mailbox whose folder holds 500 realistic messages; the password stored encrypted,
    as an admin would have saved it (plain IMAP on loopback: no certificate to verify)."""
    dovecot.append(SUPPORT, imap_folder, generate(MESSAGES, seed=11))
    mailbox_id = add_mailbox(database, folder=imap_folder, dovecot=dovecot)
    from kefu.channels.email.models import Mailbox

    with database.unit_of_work() as session:
        mailbox = session.get_one(Mailbox, mailbox_id)
        mailbox.imap_security = "none"
        mailbox.imap_secret_enc = secretbox.encrypt(dovecot.password, key=str(settings.secret_key))
    return mailbox_id


def assert_all_once(database: Database, dovecot: Dovecot, folder: str) -> None:
    total, distinct, failures = stored(database)
    assert (total, distinct, failures) == (MESSAGES, MESSAGES, 0)
    on_server = dovecot.read(SUPPORT, folder)
    assert len(on_server) == MESSAGES
    assert all(message.is_ingested for message in on_server)


def test_sigkill_while_fetching_then_restart_stores_each_message_once(
    database: Database,
    settings: Settings,
    dovecot: Dovecot,
    imap_folder: str,
    full_mailbox: int,
) -> None:
    # given: a fetch running in a child process, killed once 100+ messages are committed
    child = run_fetch(settings, full_mailbox)
    deadline = time.monotonic() + 120
    while stored(database)[0] < 100:
        assert child.poll() is None, child.stderr.read() if child.stderr else ""
        assert time.monotonic() < deadline
        time.sleep(0.02)
    child.send_signal(signal.SIGKILL)
    child.wait(30)
    killed_at = stored(database)[0]
    assert 100 <= killed_at < MESSAGES
    # when: restarted (the dead process's lease has to expire first: force it)
    expire_lease(database, full_mailbox)
    again = run_fetch(settings, full_mailbox)
    _, err = again.communicate(timeout=300)
    # then
    assert again.returncode == 0, err.decode()
    assert_all_once(database, dovecot, imap_folder)


def test_sigkill_right_after_a_commit_before_the_flags(
    database: Database,
    settings: Settings,
    dovecot: Dovecot,
    imap_folder: str,
    full_mailbox: int,
) -> None:
    # given: the child dies just after its 3rd batch committed, before flagging it
    child = run_fetch(settings, full_mailbox, KEFU_TEST_DIE_AFTER_BATCHES="3")
    child.wait(120)
    assert child.returncode == -signal.SIGKILL
    assert stored(database)[0] == 75
    flagged = [m for m in dovecot.read(SUPPORT, imap_folder) if m.is_ingested]
    assert len(flagged) == 50  # the third batch is stored but was never acknowledged
    # when
    expire_lease(database, full_mailbox)
    again = run_fetch(settings, full_mailbox)
    out, err = again.communicate(timeout=300)
    # then
    assert again.returncode == 0, err.decode()
    assert b"500 fetched" not in out and b"already in kefu" in out
    assert_all_once(database, dovecot, imap_folder)


def expire_lease(database: Database, mailbox_id: int) -> None:
    from datetime import timedelta

    from sqlalchemy import update

    from kefu.channels.email.models import Mailbox
    from kefu.kit.clock import utcnow

    with database.unit_of_work() as session:
        session.execute(
            update(Mailbox)
            .where(Mailbox.id == mailbox_id)
            .values(fetch_lease_until=utcnow() - timedelta(seconds=1))
        )
