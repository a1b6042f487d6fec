"""Reads a batch event handler makes once for all its events instead of once per event.

Inside `with batch_cache(session):` a read wrapped in `cached(session, key, load)` is loaded
on first use and then served from memory until the block ends; outside such a block `cached`
simply loads. Only for what the handler itself cannot change while it runs (the active SLA
policies, the triggers, business-hour schedules): a batch sees them as one event alone would.
The block also holds every row the session loads meanwhile, so the next event's
`session.get` of the same team, agent or ticket finds it in the session instead of reading
it again (the session itself keeps loaded rows only while someone refers to them; what it
holds is kept current by its flushes, refreshes and rollbacks as before).
The cache lives in `session.info` for the block only, so nothing leaks into the next batch
or another unit of work; a nested block reuses the outer one. A value the block itself
changes (a ticket's tags, kefu/tickets/tagging.py) is kept in step by its writer with
`cache_of`; a rolled-back savepoint empties the cache, as what was read or written in it
may be gone.
"""

from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

KEY = "kefu.batch_cache"
T = TypeVar("T")


@contextmanager
def batch_cache(session: Session) -> Iterator[None]:
    if KEY in session.info:
        yield
        return
    held: list[object] = []
    cache: dict[Hashable, Any] = {}
    session.info[KEY] = cache

    def hold(_session: Session, instance: object) -> None:
        held.append(instance)

    def forget(_session: Session, _transaction: object) -> None:
        cache.clear()

    event.listen(session, "loaded_as_persistent", hold)
    event.listen(session, "after_soft_rollback", forget)
    try:
        yield
    finally:
        event.remove(session, "loaded_as_persistent", hold)
        event.remove(session, "after_soft_rollback", forget)
        session.info.pop(KEY, None)
        held.clear()


def cache_of(session: Session) -> dict[Hashable, Any] | None:
    """The current `batch_cache` block's values (None outside a block)."""
    return session.info.get(KEY)  # type: ignore[no-any-return]


def cached(session: Session, key: Hashable, load: Callable[[], T]) -> T:
    """`load()`, or what it returned before within the current `batch_cache` block."""
    cache: dict[Hashable, Any] | None = session.info.get(KEY)
    if cache is None:
        return load()
    if key not in cache:
        cache[key] = load()
    return cache[key]  # type: ignore[no-any-return]
