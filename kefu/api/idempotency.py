"""Idempotency-Key on POST (draft-ietf-httpapi-idempotency-key-header): a retried request gets
the first response again instead of doing the work twice.

The key's row is written in the request's own transaction, together with the response, so a
crash keeps both the effect and its key or neither. Only successful (2xx) responses are kept:
a refused request changed nothing, so running it again is safe and may now succeed."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kefu.api.models import IdempotencyKey
from kefu.errors import Conflict, InvalidInput
from kefu.kit.clock import as_utc

KEY_TTL = timedelta(hours=24)
MAX_KEY_LENGTH = 255


class KeyInUse(Conflict):
    code = "idempotency_key_in_use"


class KeyReused(InvalidInput):
    code = "idempotency_key_reused"


@dataclass(frozen=True, slots=True)
class StoredResponse:
    status_code: int
    body: Any


def parse_key(raw: str) -> str:
    """The key from its header: an sf-string (`"…"`) as the draft writes it, or bare, as many
    clients send it."""
    value = raw.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    if not 1 <= len(value) <= MAX_KEY_LENGTH or not all(" " <= ch <= "~" for ch in value):
        raise InvalidInput(
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable ASCII characters",
            code="invalid_idempotency_key",
        )
    return value


def claim(
    session: Session,
    *,
    actor_ref: str,
    key: str,
    method: str,
    path: str,
    request_hash: str,
    now: datetime,
) -> IdempotencyKey | StoredResponse:
    """Reserve the key for this request, or return the response the key already has.

    A key is the caller's own (`actor_ref`): two tokens may use the same key. A key older than
    `KEY_TTL` is forgotten and may be used again."""
    # No autoflush: a pending write of this request (the token's last-used time) could wait
    # on a row lock the running duplicate holds, instead of being told it is in progress.
    with session.no_autoflush:
        _lock(session, actor_ref, key)
        row = session.scalar(
            select(IdempotencyKey).where(
                IdempotencyKey.actor_ref == actor_ref, IdempotencyKey.key == key
            )
        )
    if row is not None and row.status_code is not None and as_utc(row.created_at) > now - KEY_TTL:
        if row.request_hash != request_hash:
            raise KeyReused(
                f"this Idempotency-Key was used for a different request ({row.method} "
                f"{row.path} or another body) in the last 24 hours; use a new key"
            )
        return StoredResponse(status_code=row.status_code, body=row.response_body)
    if row is None:
        row = IdempotencyKey(actor_ref=actor_ref, key=key)
        session.add(row)
    row.method, row.path, row.request_hash = method, path[:500], request_hash
    row.status_code, row.response_body, row.created_at = None, None, now
    session.flush()
    return row


def record(session: Session, row: IdempotencyKey, *, status_code: int, body: Any) -> None:
    """Keep a successful response with its key; forget the key of anything else."""
    if 200 <= status_code < 300:
        row.status_code = status_code
        row.response_body = body
    else:
        session.delete(row)
    session.flush()


def _lock(session: Session, actor_ref: str, key: str) -> None:
    """On PostgreSQL, a transaction-scoped advisory lock per key: a duplicate arriving while
    the first request still runs is told so (409) rather than run twice or kept waiting.
    SQLite runs one write transaction at a time (BEGIN IMMEDIATE), so there the duplicate
    waits for the first to commit and then gets its stored response."""
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"{actor_ref}\n{key}".encode()).digest()
    lock_id = int.from_bytes(digest[:8], "big", signed=True)
    if not session.scalar(select(func.pg_try_advisory_xact_lock(lock_id))):
        raise KeyInUse(
            "a request with this Idempotency-Key is still in progress; retry when it has finished"
        )


def purge_expired(session: Session, *, now: datetime) -> int:
    """Delete keys past `KEY_TTL`; returns how many."""
    result = session.execute(
        delete(IdempotencyKey).where(IdempotencyKey.created_at < now - KEY_TTL)
    )
    return int(getattr(result, "rowcount", 0) or 0)
