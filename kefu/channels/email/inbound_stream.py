"""Receiving a source's mail batch after batch (an import, a pass over an IMAP folder) with
the next batch already in preparation while one is stored.

`inbound.receive_emails` prepares a batch (parse, store the raw mail, build the message; in
the ingest pool's processes when it is large) and writes it in one transaction. Batch after
batch that leaves the pool idle while a batch is written and committed, and the write
transaction open while the pool is still preparing, which on SQLite holds its one write lock
from the dispatcher. Here the pool is handed batch N+1 before batch N is written, and each
batch's transaction opens when its mail is mostly prepared. Each batch still commits (files
flushed first) before its receipts come back, so the caller acknowledges only committed mail.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from kefu.channels.email import ingest_pool
from kefu.channels.email.inbound import Batch, RawEmail, Receipt, batch_for
from kefu.channels.email.inbound_batch import start_preparing, store_prepared
from kefu.kit.gc_batch import batch_gc

if TYPE_CHECKING:
    from kefu.config import Settings
    from kefu.db import Database
    from kefu.kit.filestore import FileStore

T = TypeVar("T")


@dataclass(slots=True)
class _Started(Generic[T]):
    emails: list[RawEmail]
    tag: T
    batch: Batch
    prepared: Iterator


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
        return _Started(emails, tag, batch, start_preparing(files, batch, emails, workers))

    first = next(pending, None)
    if first is None:
        return
    with database.unit_of_work() as session:
        batch = batch_for(
            session, mailbox_id=mailbox_id, settings=settings, use_mail_date=use_mail_date
        )
    current: _Started[T] | None = start(first, batch)
    while current is not None:
        following = next(pending, None)
        with database.unit_of_work() as session:
            after = None
            if following is not None:  # the next batch's lookups, then the pool starts on it
                lookups = batch_for(
                    session, mailbox_id=mailbox_id, settings=settings, use_mail_date=use_mail_date
                )
                after = start(following, lookups)
            with batch_gc():
                receipts = store_prepared(
                    session, files, current.batch, current.emails, current.prepared
                )
            files.sync(current.batch.stored_files)
        yield receipts, current.tag
        current = after
