"""Batch after batch from one source: the next batch is taken and handed to the ingest pool
before a batch is stored, and each batch is committed before its receipts come back."""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bench.email_corpus import simple
from kefu.channels.email import ingest_pool
from kefu.channels.email.inbound import RawEmail, receive_emails
from kefu.channels.email.inbound_stream import receive_batches
from kefu.channels.email.models import InboundFailure
from kefu.config import Settings
from kefu.db import Database
from kefu.kit.filestore import FileStore
from kefu.tickets.models import Message
from tests.channels.email.factories import mail
from tests.postgres import wait_for_a_lock_wait

BATCH = ingest_pool.POOL_MIN_MAILS  # large enough for the pool


@pytest.fixture(autouse=True)
def _fresh_pool() -> Iterator[None]:
    ingest_pool.shutdown()
    yield
    ingest_pool.shutdown()


def _stored(database: Database) -> int:
    with database.unit_of_work() as session:
        return session.scalar(select(func.count()).select_from(Message)) or 0


@pytest.mark.parametrize("workers", [0, 1])
def test_each_batch_is_committed_with_the_next_already_taken(
    database: Database, tmp_path: Path, workers: int
) -> None:
    taken: list[int] = []

    def batches() -> Iterator[tuple[list[RawEmail], int]]:
        for number in range(3):
            taken.append(number)
            emails = [
                RawEmail(simple(number * BATCH + n), f"mail {number}.{n}") for n in range(BATCH)
            ]
            yield emails, number

    settings = Settings(data_dir=tmp_path, ingest_workers=workers)
    seen = []
    stream = receive_batches(
        database, FileStore(tmp_path / "files"), batches(), mailbox_id=None, settings=settings
    )
    for receipts, number in stream:
        seen.append(number)
        # the batch is committed (another session sees it) before the caller acknowledges it
        assert _stored(database) == (number + 1) * BATCH
        assert all(not r.failed and not r.is_duplicate for r in receipts)
        assert len(receipts) == BATCH
        # and the batch after it was taken from the source (and handed to the pool) before
        assert taken == list(range(min(number + 2, 3)))
    assert seen == [0, 1, 2]


class _WatchedStore(FileStore):
    """Notes, at each flush to disk, how many files and whether a write transaction was open."""

    def __init__(self, root: Path, database: Database) -> None:
        super().__init__(root)
        self.database = database
        self.flushes: list[tuple[int, bool]] = []

    def sync(self, digests: Iterable[str]) -> None:
        digests = list(digests)
        if digests:
            self.flushes.append((len(digests), _writing(self.database)))
        super().sync(digests)


def _writing(database: Database) -> bool:
    """Whether a transaction holds the database's write lock (SQLite: the writers' turnstile)
    or is open (PostgreSQL), seen from outside it."""
    if database.backend == "sqlite":
        fd = os.open(f"{database.engine.url.database}-writers", os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # closing it drops the probe's own lock
        return False
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND state LIKE '%in transaction%' AND pid <> pg_backend_pid()"
    )
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        return bool(conn.execute(query).scalar())


@pytest.mark.parametrize("workers", [0, 1])
def test_prepared_files_reach_the_disk_before_the_batch_takes_the_write_lock(
    database: Database, tmp_path: Path, workers: int
) -> None:
    # given two batches of mail, each with its raw file stored by preparing it
    files = _WatchedStore(tmp_path / "files", database)
    batches = [
        ([RawEmail(simple(number * BATCH + n), f"mail {number}.{n}") for n in range(BATCH)], number)
        for number in range(2)
    ]
    settings = Settings(data_dir=tmp_path, ingest_workers=workers)
    stream = receive_batches(database, files, iter(batches), mailbox_id=None, settings=settings)
    assert [number for _receipts, number in stream] == [0, 1]
    # then each batch's files were flushed, and none while the database was being written
    assert files.flushes == [(BATCH, False), (BATCH, False)]
    assert _stored(database) == 2 * BATCH


def test_nothing_to_receive(database: Database, tmp_path: Path) -> None:
    stream = receive_batches(database, FileStore(tmp_path), iter([]), mailbox_id=None)
    assert list(stream) == []


def test_a_deadlock_with_a_worker_runs_the_batch_again(database: Database, tmp_path: Path) -> None:
    """A worker's handler holds ticket B and then wants ticket A, which the batch already
    updated; PostgreSQL fails the batch (it waited first). Stored mail by mail it would wait
    for B again behind the handler, which still waits for A: the batch must let go of
    everything and run again, and then both sides finish."""
    if database.backend != "postgresql":
        pytest.skip("row locks and deadlock detection are PostgreSQL's")
    files = FileStore(tmp_path / "files")
    first_a, first_b = "a-1@example.com", "b-1@example.com"
    opened = receive_emails(
        database,
        files,
        mailbox_id=None,
        emails=[
            RawEmail(mail(sender="ann@example.com", subject="Parcel A", message_id=first_a), "a"),
            RawEmail(mail(sender="bob@example.com", subject="Parcel B", message_id=first_b), "b"),
        ],
    )
    ticket_a, ticket_b = (receipt.ticket_id for receipt in opened)
    batch = [  # two bulk runs, with an auto-reply (stored on its own) between them
        RawEmail(mail(sender="ann@example.com", subject="Re: Parcel A", in_reply_to=first_a), "1"),
        RawEmail(mail(sender="ooo@example.com", headers={"Auto-Submitted": "auto-replied"}), "2"),
        RawEmail(mail(sender="bob@example.com", subject="Re: Parcel B", in_reply_to=first_b), "3"),
    ]
    ids = {"a": ticket_a, "b": ticket_b}
    holding_b, worker_done = threading.Event(), threading.Event()
    worker_failed: list[BaseException] = []

    def worker() -> None:
        try:
            with database.engine.connect() as conn, conn.begin():
                conn.execute(text("SELECT id FROM tickets WHERE id = :b FOR UPDATE"), ids)
                holding_b.set()
                wait_for_a_lock_wait(database, then=0.1)  # the batch, blocked on B
                conn.execute(text("UPDATE tickets SET updated_at = now() WHERE id = :a"), ids)
        except BaseException as exc:  # reported by the test below
            worker_failed.append(exc)
        finally:
            worker_done.set()

    thread = threading.Thread(target=worker)
    thread.start()
    assert holding_b.wait(10)
    stream = receive_batches(
        database,
        files,
        iter([(batch, None)]),
        mailbox_id=None,
        settings=Settings(data_dir=tmp_path),
    )
    ((receipts, _),) = list(stream)
    thread.join(30)
    assert worker_done.is_set() and worker_failed == []
    assert [r.failed for r in receipts] == [False, False, False]
    assert receipts[0].ticket_id == ticket_a and receipts[2].ticket_id == ticket_b
    with database.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(InboundFailure)) == 0
