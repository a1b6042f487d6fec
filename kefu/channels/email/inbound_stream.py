"""Receiving a source's mail batch after batch (an import, a pass over an IMAP folder) with
the next batch already in preparation while one is stored.

`inbound.receive_emails` prepares a batch (parse, store the raw mail, build the message; in
the ingest pool's processes when it is large) and writes it in one transaction. Batch after
batch that leaves the pool idle while a batch is written and committed, and the write
transaction open while the pool is still preparing, which on SQLite holds its one write lock
from the dispatcher. Here the pool is handed batch N+1 as soon as it is fetched, batch N is
waited for with no transaction open, and only then written. What the batches share (the
mailbox, our own addresses, the agents) is looked up once per stream — a pass over a folder
or one import. Each batch still commits (files flushed first) before its receipts come back,
so the caller acknowledges only committed mail; a batch the database failed to break a
deadlock (PostgreSQL, with a worker's handler locking the same tickets) is written again
whole from the prepared mail.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from kefu.channels.email import ingest_pool
from kefu.channels.email.inbound import Batch, RawEmail, Receipt, batch_for
from kefu.channels.email.inbound_batch import prepared_files, start_preparing, store_prepared
from kefu.kit.clock import utcnow
from kefu.kit.gc_batch import batch_gc

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from kefu.config import Settings
    from kefu.db import Database
    from kefu.kit.filestore import FileStore

T = TypeVar("T")


class Counts(Protocol):
    stored: int
    duplicates: int
    failed: int


def tally(report: Counts, receipts: list[Receipt]) -> None:
    """Count a committed batch's receipts into a report: stored, duplicates, failed."""
    for receipt in receipts:
        if receipt.failed:
            report.failed += 1
        elif receipt.is_duplicate:
            report.duplicates += 1
        else:
            report.stored += 1


@dataclass(slots=True)
class _Started(Generic[T]):
    emails: list[RawEmail]
    tag: T
    batch: Batch
    prepared: Iterator[list[Any]]


def receive_batches(
    database: Database,
    files: FileStore,
    batches: Iterable[tuple[list[RawEmail], T]],
    *,
    mailbox_id: int | None,
    settings: Settings | None = None,
    use_mail_date: bool = False,
) -> Iterator[tuple[list[Receipt], T]]:
    """Each batch's receipts (with the caller's tag for it) once it is committed, in order.
    The next batch is taken from `batches` (a network fetch, say) before this one's
    transaction opens."""
    workers = ingest_pool.workers_for(settings)
    pending = iter(batches)

    def start(item: tuple[list[RawEmail], T], batch: Batch) -> _Started[T]:
        emails, tag = item
        batch = replace(batch, stored_files=[])
        return _Started(emails, tag, batch, start_preparing(files, batch, emails, workers))

    first = next(pending, None)
    if first is None:
        return
    with database.unit_of_work() as session:  # what the batches share, looked up once
        shared = batch_for(
            session, mailbox_id=mailbox_id, settings=settings, use_mail_date=use_mail_date
        )
    current: _Started[T] | None = start(first, shared)
    while current is not None:
        following = next(pending, None)
        after = None if following is None else start(following, replace(shared, now=utcnow()))
        with batch_gc():
            prepared = list(current.prepared)  # waited for with no transaction open
            synced = prepared_files(prepared)
            files.sync(synced)  # before the write lock: the disk's wait holds no one up
            receipts = database.retrying(partial(_store, files, current, prepared, set(synced)))
        yield receipts, current.tag
        current = after


def _store(
    files: FileStore,
    started: _Started[T],
    prepared: list[Any],
    synced: set[str],
    session: Session,
) -> list[Receipt]:
    """Write a prepared batch; run again whole if the database broke a lock conflict with it
    (a worker's handler locking the same tickets), which mail by mail would meet again. Files
    stored while writing it (mail the one-by-one path stores again) are flushed before the
    commit, like the prepared ones (`synced`) were before it began."""
    batch = replace(started.batch, stored_files=[])
    receipts = store_prepared(session, files, batch, started.emails, iter(prepared))
    files.sync([digest for digest in batch.stored_files if digest not in synced])
    return receipts
