"""Fetching a mailbox over IMAP: new mail only, acknowledged only after kefu committed it.

Crash safety, in order of what happens to each batch of messages:
1. FETCH BODY.PEEK[] (nothing changes on the server),
2. the batch is stored and COMMITTED (`inbound_stream.receive_batches`, idempotent on the raw
   bytes; the next batch is already fetched and being parsed meanwhile),
3. the messages are flagged \\Seen + $KefuIngested (or moved to the archive folder),
4. `imap_last_uid` advances past the batch (with the lease, one compare-and-set UPDATE).
A crash before 2 loses nothing (fetched again); between 2 and 4 the batch is fetched again and
ingest answers is_duplicate, so nothing is stored twice. New mail is found with
`UID SEARCH UID <last+1>:* NOT KEYWORD $KefuIngested`: one cheap search, however big the folder.
A UIDVALIDITY change starts over at UID 1; the keyword and idempotency keep that safe.

A lease in the Mailbox row (owner + expiry, taken and renewed by compare-and-set) keeps two
processes from fetching one mailbox at the same time."""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from kefu.channels.email.imap_lease import (
    LEASE_SECONDS,
    LeaseLost,
    acquire_lease,
    lease_owner,
    record_error,
    release_lease,
    save_progress,
)
from kefu.channels.email.models import Mailbox
from kefu.channels.email.transport import ServerSettings, open_imap
from kefu.kit.clock import utcnow

if TYPE_CHECKING:
    from imapclient import IMAPClient

    from kefu.config import Settings
    from kefu.db import Database
    from kefu.kit.filestore import FileStore

log = logging.getLogger(__name__)

KEYWORD = b"$KefuIngested"
SEEN = b"\\Seen"
# RFC 2177: servers may drop an IDLE after 30 minutes; we re-IDLE well before, and at least as
# often as the lease needs renewing.
IDLE_SECONDS = min(25 * 60, LEASE_SECONDS // 2)
MAX_BATCH_BYTES = 64_000_000
MAX_BACKOFF_SECONDS = 300.0


@dataclass(slots=True)
class FetchReport:
    mailbox_id: int
    fetched: int = 0  # messages taken from the server this run
    stored: int = 0  # new ticket messages
    duplicates: int = 0  # already in kefu (a retry after a crash)
    failed: int = 0  # kept as InboundFailure (raw saved), still acknowledged
    last_uid: int = 0
    uidvalidity_reset: bool = False
    skipped: str | None = None  # why nothing was done (another process holds the lease)
    error: str | None = None


@dataclass(frozen=True, slots=True)
class _Target:
    id: int
    folder: str
    archive_folder: str | None
    uidvalidity: int | None
    last_uid: int


def _load_target(database: Database, mailbox_id: int) -> _Target:
    with database.unit_of_work() as session:
        row = session.execute(
            select(
                Mailbox.id,
                Mailbox.imap_folder,
                Mailbox.imap_archive_folder,
                Mailbox.imap_uidvalidity,
                Mailbox.imap_last_uid,
            ).where(Mailbox.id == mailbox_id)
        ).one_or_none()
    if row is None:
        from kefu.errors import NotFound

        raise NotFound(f"mailbox {mailbox_id} not found")
    return _Target(row[0], row[1] or "INBOX", row[2] or None, row[3], int(row[4] or 0))


def server_settings_for(
    database: Database, *, mailbox_id: int, settings: Settings | None
) -> ServerSettings:
    """The mailbox's IMAP settings, secrets decrypted (an XOAUTH2 token refreshed, committed)."""
    from kefu.channels.email import mailboxes
    from kefu.config import secret_key

    key = secret_key(settings) if settings is not None else None
    with database.unit_of_work() as session:
        mailbox = mailboxes.get_mailbox(session, mailbox_id)
        return mailboxes.server_settings(session, mailbox, "imap", key=key)


def fetch_once(
    database: Database,
    files: FileStore,
    *,
    mailbox_id: int,
    settings: Settings | None = None,
    batch_size: int = 100,
    server: ServerSettings | None = None,
) -> FetchReport:
    """Fetch every new message of one mailbox now. Never raises for server or mail trouble:
    the report (and the mailbox's last_error) says what went wrong."""
    owner = lease_owner()
    report = FetchReport(mailbox_id=mailbox_id)
    if not acquire_lease(database, mailbox_id=mailbox_id, owner=owner):
        report.skipped = "another process is fetching this mailbox"
        return report
    try:
        server = server or server_settings_for(database, mailbox_id=mailbox_id, settings=settings)
        client = open_imap(server)
        try:
            sync(
                client,
                database,
                files,
                mailbox_id=mailbox_id,
                owner=owner,
                settings=settings,
                batch_size=batch_size,
                report=report,
            )
        finally:
            _logout(client)
    except LeaseLost as exc:
        report.skipped = str(exc)
    except Exception as exc:
        report.error = describe(exc)
        log.warning("mailbox %s: fetch failed: %s", mailbox_id, report.error)
        record_error(database, mailbox_id=mailbox_id, error=report.error)
    finally:
        try:
            release_lease(database, mailbox_id=mailbox_id, owner=owner)
        except Exception:
            log.exception("mailbox %s: could not release the fetch lease", mailbox_id)
    return report


def sync(
    client: IMAPClient,
    database: Database,
    files: FileStore,
    *,
    mailbox_id: int,
    owner: str,
    settings: Settings | None,
    batch_size: int,
    report: FetchReport,
) -> FetchReport:
    """One pass over the folder on an open connection (the caller holds the lease)."""
    from kefu.channels.email.inbound import RawEmail
    from kefu.channels.email.inbound_stream import receive_batches, tally

    target = _load_target(database, mailbox_id)
    selected = client.select_folder(target.folder)
    uidvalidity = int(selected[b"UIDVALIDITY"])
    last_uid = target.last_uid
    if target.uidvalidity != uidvalidity:
        if target.uidvalidity is not None:
            report.uidvalidity_reset = True
            log.warning(
                "mailbox %s: UIDVALIDITY of %s changed (%s -> %s); looking at every message",
                mailbox_id,
                target.folder,
                target.uidvalidity,
                uidvalidity,
            )
        last_uid = 0
        save_progress(
            database,
            mailbox_id=mailbox_id,
            owner=owner,
            imap_uidvalidity=uidvalidity,
            imap_last_uid=0,
        )
    use_keyword = _keyword_allowed(selected)
    criteria: list[Any] = ["UID", f"{last_uid + 1}:*"]
    if use_keyword:
        criteria += ["NOT", "KEYWORD", KEYWORD.decode()]
    # "n:*" always matches the highest UID, even when it is below n: filter.
    uids = sorted(uid for uid in client.search(criteria) if uid > last_uid)
    report.last_uid = last_uid

    def fetched() -> Iterator[tuple[list[RawEmail], tuple[list[int], list[int]]]]:
        for batch in _batches(client, uids, batch_size=batch_size):
            rows = client.fetch(batch, [b"BODY.PEEK[]"])
            present = [uid for uid in batch if uid in rows]
            emails = [
                RawEmail(raw=rows[uid].get(b"BODY[]") or b"", source=f"imap uid {uid}")
                for uid in present
            ]
            yield emails, (batch, present)

    # the next batch is fetched and being parsed while this one is stored; each is
    # acknowledged only once it is committed
    stored = receive_batches(database, files, fetched(), mailbox_id=mailbox_id, settings=settings)
    for receipts, (batch, present) in stored:
        if present:
            acknowledge(client, present, archive=target.archive_folder, keyword=use_keyword)
        report.fetched += len(present)
        tally(report, receipts)
        report.last_uid = batch[-1]
        save_progress(database, mailbox_id=mailbox_id, owner=owner, imap_last_uid=batch[-1])
    save_progress(
        database,
        mailbox_id=mailbox_id,
        owner=owner,
        last_fetch_at=utcnow(),
        last_error=None,
        last_error_at=None,
    )
    return report


def acknowledge(client: IMAPClient, uids: list[int], *, archive: str | None, keyword: bool) -> None:
    """Mark messages as taken: \\Seen + our keyword, and moved to the archive folder if set."""
    client.add_flags(uids, [SEEN, KEYWORD] if keyword else [SEEN], silent=True)
    if not archive:
        return
    if client.has_capability("MOVE"):
        client.move(uids, archive)
        return
    client.copy(uids, archive)
    client.delete_messages(uids, silent=True)
    if client.has_capability("UIDPLUS"):
        client.uid_expunge(uids)
    else:
        client.expunge()


def _keyword_allowed(selected: dict[bytes, Any]) -> bool:
    """RFC 3501: no PERMANENTFLAGS means any flag sticks; `\\*` allows new keywords."""
    permanent = selected.get(b"PERMANENTFLAGS")
    return permanent is None or b"\\*" in permanent or KEYWORD in permanent


def _batches(client: IMAPClient, uids: list[int], *, batch_size: int) -> Iterator[list[int]]:
    """UIDs in order, at most `batch_size` messages or MAX_BATCH_BYTES a batch (sizes are
    asked a thousand at a time, so a huge folder is not listed in one answer)."""
    for start in range(0, len(uids), 1000):
        chunk = uids[start : start + 1000]
        sizes = client.fetch(chunk, [b"RFC822.SIZE"])
        batch: list[int] = []
        total = 0
        for uid in chunk:
            size = int(sizes.get(uid, {}).get(b"RFC822.SIZE", 0))
            if batch and (len(batch) >= batch_size or total + size > MAX_BATCH_BYTES):
                yield batch
                batch, total = [], 0
            batch.append(uid)
            total += size
        if batch:
            yield batch


def watch(
    database: Database,
    files: FileStore,
    *,
    mailbox_id: int,
    stop: threading.Event,
    settings: Settings | None = None,
    server: ServerSettings | None = None,
    batch_size: int = 100,
    poll_seconds: float = 60.0,
    idle_seconds: float = IDLE_SECONDS,
    on_report: Callable[[FetchReport], None] | None = None,
) -> None:
    """Fetch a mailbox until `stop` is set: IDLE when the server offers it (re-IDLE before
    the 29-minute limit), otherwise poll every `poll_seconds`; reconnect with exponential
    backoff on errors. Holds the mailbox's lease while running."""
    owner = lease_owner()
    backoff = 1.0
    try:
        while not stop.is_set():
            if not acquire_lease(database, mailbox_id=mailbox_id, owner=owner):
                stop.wait(poll_seconds)
                continue
            try:
                settings_now = server or server_settings_for(
                    database, mailbox_id=mailbox_id, settings=settings
                )
                client = open_imap(settings_now)
                try:
                    while not stop.is_set():
                        report = FetchReport(mailbox_id=mailbox_id)
                        sync(
                            client,
                            database,
                            files,
                            mailbox_id=mailbox_id,
                            owner=owner,
                            settings=settings,
                            batch_size=batch_size,
                            report=report,
                        )
                        backoff = 1.0
                        if on_report is not None:
                            on_report(report)
                        wait_for_mail(
                            client, stop, idle_seconds=idle_seconds, poll_seconds=poll_seconds
                        )
                finally:
                    _logout(client)
            except LeaseLost:
                log.warning("mailbox %s: lease taken over by another process", mailbox_id)
            except Exception as exc:
                error = describe(exc)
                log.warning("mailbox %s: %s; retrying in %.0f s", mailbox_id, error, backoff)
                record_error(database, mailbox_id=mailbox_id, error=error)
                if on_report is not None:
                    on_report(FetchReport(mailbox_id=mailbox_id, error=error))
                stop.wait(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
    finally:
        try:
            release_lease(database, mailbox_id=mailbox_id, owner=owner)
        except Exception:
            log.exception("mailbox %s: could not release the fetch lease", mailbox_id)


def wait_for_mail(
    client: IMAPClient, stop: threading.Event, *, idle_seconds: float, poll_seconds: float
) -> None:
    """Return when new mail may have arrived, `stop` was set, or it is time to look anyway."""
    if not client.has_capability("IDLE"):
        stop.wait(poll_seconds)
        if not stop.is_set():
            client.noop()
        return
    deadline = time.monotonic() + idle_seconds
    client.idle()
    try:
        while not stop.is_set() and time.monotonic() < deadline:
            responses = client.idle_check(timeout=1)
            if any(_announces_mail(response) for response in responses):
                return
    finally:
        client.idle_done()


def _announces_mail(response: tuple[Any, ...]) -> bool:
    return len(response) >= 2 and response[1] in (b"EXISTS", b"RECENT")


def describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _logout(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:
        with contextlib.suppress(Exception):  # the connection is gone either way
            client.shutdown()
