"""Keyset pagination: pages by the last id seen, so page 1000 costs what page 1 costs."""

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

T = TypeVar("T")

MAX_PAGE_SIZE = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    next_cursor: int | None


def newest_first(
    session: Session,
    statement: Select[tuple[T]],
    id_column: InstrumentedAttribute[int],
    *,
    before_id: int | None,
    limit: int,
) -> Page[T]:
    """Rows ordered by descending id, starting below `before_id`."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    if before_id is not None:
        statement = statement.where(id_column < before_id)
    rows = list(session.scalars(statement.order_by(id_column.desc()).limit(limit + 1)))
    has_more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = getattr(rows[-1], id_column.key) if has_more and rows else None
    return Page(items=rows, next_cursor=next_cursor)


@dataclass(frozen=True)
class CursorPage(Generic[T]):
    """A page sorted on some key: `next_cursor` is opaque to callers (see encode_cursor)."""

    items: Sequence[T]
    next_cursor: str | None


def encode_cursor(values: dict[str, Any]) -> str:
    """An opaque, URL-safe cursor for the last row of a page (its sort key and id)."""
    raw = json.dumps(values, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any] | None:
    """The values of a cursor, or None when it is not one of ours (a mangled link)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError):
        return None
    return values if isinstance(values, dict) else None
