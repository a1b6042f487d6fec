"""The ingest pool: mail prepared in other processes is stored exactly as mail prepared in
place, in order, and a worker that dies costs time, never mail."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

import pytest

from kefu.channels.email import ingest_pool
from kefu.channels.email.inbound import RawEmail, receive_emails
from kefu.config import Settings
from kefu.db import Database
from kefu.kit.filestore import FileStore
from tests.accounts.factories import make_agent
from tests.channels.email.bulk_mail import SUPPORT, first_day, mixed_batch, snapshot
from tests.channels.email.factories import make_mailbox
from tests.channels.email.pool_tasks import pids, squares_or_die
from tests.channels.email.test_inbound_bulk import AGENT, HINTED, other_database  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_pool() -> None:
    ingest_pool.shutdown()


def store(
    database: Database, files: FileStore, workers: int, tmp: Path, batches: list[list[bytes]]
) -> list[tuple]:
    make_agent(database, email=AGENT)
    mailbox_id = make_mailbox(database, address=SUPPORT).id
    settings = Settings(data_dir=tmp, ingest_workers=workers)
    out = []
    for raws in batches:
        emails = [RawEmail(raw, f"mail {n}") for n, raw in enumerate(raws)]
        receipts = receive_emails(
            database, files, mailbox_id=mailbox_id, emails=emails, settings=settings
        )
        out.append(
            [(r.ticket_id, r.message_id, r.is_duplicate, r.failed, r.noise) for r in receipts]
        )
    return out


def test_mail_prepared_by_the_pool_is_stored_as_mail_prepared_in_place(
    database: Database,
    other_database: Database,  # noqa: F811
    tmp_path: Path,
) -> None:
    # given the same batches, prepared by two pool processes and in place
    batches = [first_day(), mixed_batch(AGENT, ticket_for_hint=HINTED)]
    assert ingest_pool.start(2, wait=True) is not None
    pooled = store(database, FileStore(tmp_path / "pooled"), 2, tmp_path, batches)
    assert ingest_pool._pool is not None  # the batches were large enough for the pool
    here = store(other_database, FileStore(tmp_path / "here"), 0, tmp_path, batches)
    # then every receipt, row and stored file is the same
    assert pooled == here
    assert snapshot(database) == snapshot(other_database)
    stored = {p.name for p in (tmp_path / "pooled").rglob("*") if p.is_file()}
    assert stored == {p.name for p in (tmp_path / "here").rglob("*") if p.is_file()}


def test_a_worker_that_dies_leaves_its_chunks_to_this_process() -> None:
    # given items whose third chunk kills the pool process that prepares it
    items = list(range(ingest_pool.CHUNK_MAILS * 4))
    prepare = partial(squares_or_die, os.getpid())
    assert ingest_pool.start(1, wait=True) is not None
    # when they are prepared by the pool
    results = [r for ready in ingest_pool.chunked(items, prepare, workers=1) for r in ready]
    # then every chunk comes back, in order, and the broken pool was dropped
    assert [n for chunk in results for n in chunk] == [n * n for n in items]
    assert ingest_pool._pool is None


def test_small_batches_and_no_workers_are_prepared_in_place() -> None:
    prepare = partial(squares_or_die, os.getpid())
    few = list(range(ingest_pool.POOL_MIN_MAILS - 1))
    assert [len(ready) for ready in ingest_pool.chunked(few, prepare, workers=2)] == [2]
    many = list(range(100))
    assert [len(ready) for ready in ingest_pool.chunked(many, prepare, workers=0)] == [4]
    assert ingest_pool._pool is None
    assert ingest_pool.workers_for(Settings(ingest_workers=3)) == 3
    assert ingest_pool.workers_for(None) == max(0, min(4, (os.cpu_count() or 1) - 1))


def test_mail_is_prepared_here_while_the_pool_starts() -> None:
    items = list(range(ingest_pool.POOL_MIN_MAILS * 2))
    # given no pool yet: the first mail is prepared here, not held up by the pool starting
    here = [
        pid for ready in ingest_pool.chunked(items, pids, workers=1) for c in ready for pid in c
    ]
    assert set(here) == {os.getpid()}
    # and the pool was started meanwhile; once it is up, it prepares the mail
    assert ingest_pool.start(1, wait=True) is not None
    pooled = [
        pid for ready in ingest_pool.chunked(items, pids, workers=1) for c in ready for pid in c
    ]
    assert len(pooled) == len(items) and os.getpid() not in pooled


def test_the_pool_gives_way_to_the_processes_writing_the_database() -> None:
    # the pool prepares ahead of the writers; they (and web requests) get the CPU first
    pool = ingest_pool.start(1, wait=True)
    assert pool is not None
    assert pool.submit(os.nice, 0).result() == min(19, os.nice(0) + ingest_pool.POOL_NICE)
