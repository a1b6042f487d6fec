"""Batch after batch from one source: the next batch is taken and handed to the ingest pool
before a batch is stored, and each batch is committed before its receipts come back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench.email_corpus import simple
from kefu.channels.email import ingest_pool
from kefu.channels.email.inbound import RawEmail
from kefu.channels.email.inbound_stream import receive_batches
from kefu.config import Settings
from kefu.db import Database
from kefu.kit.filestore import FileStore
from kefu.tickets.models import Message

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


def test_nothing_to_receive(database: Database, tmp_path: Path) -> None:
    stream = receive_batches(database, FileStore(tmp_path), iter([]), mailbox_id=None)
    assert list(stream) == []
