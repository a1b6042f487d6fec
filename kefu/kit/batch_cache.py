"""Reads a batch event handler makes once for all its events instead of once per event.

Inside `with batch_cache(session):` a read wrapped in `cached(session, key, load)` is loaded
on first use and then served from memory until the block ends; outside such a block `cached`
simply loads. Only for what the handler itself cannot change while it runs (the active SLA
policies, the triggers, business-hour schedules): a batch sees them as one event alone would.
The cache lives in `session.info` for the block only, so nothing leaks into the next batch
or another unit of work; a nested block reuses the outer one.
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy.orm import Session

KEY = "kefu.batch_cache"
T = TypeVar("T")


@contextmanager
def batch_cache(session: Session) -> Iterator[None]:
    if KEY in session.info:
        yield
        return
    session.info[KEY] = {}
    try:
        yield
    finally:
        session.info.pop(KEY, None)


def cached(session: Session, key: Hashable, load: Callable[[], T]) -> T:
    """`load()`, or what it returned before within the current `batch_cache` block."""
    cache: dict[Hashable, Any] | None = session.info.get(KEY)
    if cache is None:
        return load()
    if key not in cache:
        cache[key] = load()
    return cache[key]  # type: ignore[no-any-return]
