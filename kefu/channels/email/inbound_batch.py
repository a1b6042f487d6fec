"""Receiving a batch of email in bulk: mail parsed and classified in chunks (by a process
pool while earlier chunks are stored, when the batch is large: kefu.channels.email.
ingest_pool), then runs of plain customer mail stored by bulk ingest (kefu.ingest.bulk_write)
in one savepoint each, and anything else (noise, bounces, agents' mail, what cannot be
parsed) one by one through `inbound.receive_one`, in the batch's order. If a bulk write fails
(a concurrent insert, a bad row), its savepoint is rolled back and those mails are stored one
by one, so one bad mail never costs the others and still ends as an InboundFailure. A lock
conflict (a deadlock with a worker's handler) fails the whole batch instead: its caller runs
the transaction again (`Database.retrying`), since mail by mail would meet the same locks."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from kefu.channels.email import ingest_pool
from kefu.channels.email.inbound import (
    SENDER_LIMIT_PER_HOUR,
    Batch,
    RawEmail,
    Receipt,
    inbound_message,
    receive_one,
)
from kefu.channels.email.noise import Noise, classify
from kefu.channels.email.parse import ParsedEmail, parse_email
from kefu.channels.email.source_ids import base_source_id, source_id_after
from kefu.db import is_contention
from kefu.ingest.bulk import SenderLimit
from kefu.ingest.bulk_write import ingest_many
from kefu.ingest.schemas import InboundMessage
from kefu.tickets.ingest_rows import messages_by_source

if TYPE_CHECKING:
    from kefu.kit.filestore import FileStore

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Mail:
    email: RawEmail
    raw_sha256: str
    noise: Noise | None = None
    message: InboundMessage | None = None  # set when bulk ingest may store it


def receive_batch(
    session: Session,
    files: FileStore,
    batch: Batch,
    emails: list[RawEmail],
    *,
    workers: int = 0,
) -> list[Receipt]:
    """Store the batch's mail in order; with `workers`, a process pool prepares the chunks
    after the one being stored (kefu.channels.email.ingest_pool)."""
    return store_prepared(
        session, files, batch, emails, start_preparing(files, batch, emails, workers)
    )


def start_preparing(
    files: FileStore, batch: Batch, emails: list[RawEmail], workers: int
) -> Iterator[list[_Chunk]]:
    """The batch's chunks as they are prepared: the pool starts on them now (with `workers`;
    in place they are prepared when first asked for)."""
    prepare = partial(prepare_chunk, files, replace(batch, stored_files=[]))
    return ingest_pool.chunked(emails, prepare, workers=workers)


def prepared_files(prepared: Iterable[list[_Chunk]]) -> list[str]:
    """The digests of the files preparing these chunks stored without a flush to disk."""
    return [digest for ready in prepared for chunk in ready for digest in chunk.stored_files]


def store_prepared(
    session: Session,
    files: FileStore,
    batch: Batch,
    emails: list[RawEmail],
    prepared: Iterator[list[_Chunk]],
) -> list[Receipt]:
    """Store, in order, the batch's chunks as `start_preparing` yields them."""
    receipts: list[Receipt] = []
    done = 0
    for ready in prepared:
        mails: list[_Mail] = []
        for chunk in ready:
            batch.stored_files.extend(chunk.stored_files)
            for item in chunk.mails:
                email = emails[done + len(mails)]
                mails.append(_Mail(email, item.raw_sha256, item.noise, item.message))
        done += len(mails)
        receipts += _store_in_order(session, files, batch, mails)
    return receipts


def _store_in_order(
    session: Session, files: FileStore, batch: Batch, mails: list[_Mail]
) -> list[Receipt]:
    receipts: list[Receipt | None] = [None] * len(mails)
    for index, mail in enumerate(mails):
        if mail.noise is not None and mail.noise.kind == "own":
            # Our own reply coming back (a BCC to the support address, a server copy).
            receipts[index] = Receipt(mail.email.source, None, None, True, False, noise="own")
    start = 0
    while start < len(mails):
        if receipts[start] is not None:
            start += 1
            continue
        end = start
        while end < len(mails) and receipts[end] is None and mails[end].message is not None:
            end += 1
        if end > start:
            start = _bulk(session, files, batch, mails[start:end], receipts, start)
            if start == end:
                continue
        mail = mails[start]
        receipts[start] = receive_one(session, files, batch, mail.email, mail.raw_sha256)
        start += 1
    return [receipt for receipt in receipts if receipt is not None]


@dataclass(slots=True)
class _Prepared:
    raw_sha256: str
    noise: Noise | None
    message: InboundMessage | None  # set when bulk ingest may store it


@dataclass(slots=True)
class _Chunk:
    mails: list[_Prepared]
    stored_files: list[str]  # digests put without a sync: the storing side syncs them


def prepare_chunk(files: FileStore, batch: Batch, emails: Sequence[RawEmail]) -> _Chunk:
    """Prepare a chunk of mail (in a pool process or here); only plain values come back."""
    batch = replace(batch, stored_files=[])
    mails = [_prepare(files, batch, email) for email in emails]
    return _Chunk([_Prepared(m.raw_sha256, m.noise, m.message) for m in mails], batch.stored_files)


def _prepare(files: FileStore, batch: Batch, email: RawEmail) -> _Mail:
    """Store the raw mail, parse and classify it; plain customer mail gets its message."""
    mail = _Mail(email, batch.put(files, email.raw))
    try:
        parsed = parse_email(email.raw, max_attachment_bytes=batch.max_attachment_bytes)
        mail.noise = classify(parsed, own_addresses=batch.own_addresses)
        if mail.noise.kind is not None or _involves_agents(parsed, batch):
            return mail
        mail.message = inbound_message(
            None,  # no lookups: bulk ingest applies the sender limit
            files,
            batch,
            parsed,
            mail.noise,
            base_source_id(parsed, mail.raw_sha256),
            mail.raw_sha256,
            check_limit=False,
        )
    except Exception:
        # receive_one stores it as far as it can and says why (an InboundFailure at worst)
        log.debug("email %s is left to the one-by-one path", email.source, exc_info=True)
    return mail


def _involves_agents(parsed: ParsedEmail, batch: Batch) -> bool:
    """An agent writing (their reply) or copied (they follow the ticket): not bulk work."""
    addresses = [parsed.sender, *parsed.to, *parsed.cc]
    return any(a is not None and a.email in batch.agents for a in addresses)


def _bulk(
    session: Session,
    files: FileStore,
    batch: Batch,
    run: list[_Mail],
    receipts: list[Receipt | None],
    first: int,
) -> int:
    """Store a run of mails by bulk ingest; the index of the first mail it left over."""
    messages, known_new = _source_ids(session, run)
    limit = SenderLimit(SENDER_LIMIT_PER_HOUR, batch.now - timedelta(hours=1), mark=_rate_limited)
    try:
        with session.begin_nested():
            results, stopped = ingest_many(
                session, messages, known_new=known_new, sender_limit=limit
            )
    except Exception as exc:
        if is_contention(exc):
            raise  # the whole batch is run again (inbound_stream), not mail by mail
        log.exception("bulk ingest of %d emails failed; storing them one by one", len(run))
        for offset, mail in enumerate(run):
            receipts[first + offset] = receive_one(
                session, files, batch, mail.email, mail.raw_sha256
            )
        return first + len(run)
    if session.identity_map:
        session.expire_all()  # rows the bulk statements changed under loaded objects
    for offset, result in enumerate(results):
        mail = run[offset]
        receipts[first + offset] = Receipt(
            mail.email.source,
            result.ticket_id,
            result.message_id,
            is_duplicate=result.is_duplicate,
            failed=False,
            noise=mail.noise.kind if mail.noise else None,
        )
    return first + (len(run) if stopped is None else stopped)


def _source_ids(session: Session, run: list[_Mail]) -> tuple[list[InboundMessage], list[bool]]:
    """`source_ids.source_id_of` for a run: stored copies looked up at once, and the run's own
    earlier mails counted as stored."""
    bases = {m.message.source_id for m in run if m.message and _email(m.message)["message_id"]}
    stored = {
        row.source_id: (row.details or {}).get("email", {}).get("fingerprint")
        for row in messages_by_source(session, "email", bases, with_details=True)
    }
    messages, known_new = [], []
    for mail in run:
        assert mail.message is not None
        base, details = mail.message.source_id, _email(mail.message)
        if not details["message_id"]:
            source_id, new = base, False
        else:
            source_id, new = source_id_after(
                base, details["fingerprint"], has_earlier=base in stored, known=stored.get(base)
            )
            if new:
                stored[base] = details["fingerprint"]
        message = mail.message
        if source_id != message.source_id:
            message = message.model_copy(update={"source_id": source_id})
        messages.append(message)
        known_new.append(new)
    return messages, known_new


def _email(message: InboundMessage) -> dict[str, Any]:
    """What inbound_message noted of the mail (its Message-ID, fingerprint, ...)."""
    return message.details["email"]  # type: ignore[no-any-return]


def _rate_limited(message: InboundMessage) -> InboundMessage:
    details = dict(message.details["email"])
    details["defects"] = [*details.get("defects", []), "sender_rate_limited"]
    return message.model_copy(update={"is_automated": True, "details": {"email": details}})
