"""Importing a store's orders through its connector: the first full import and "Import orders
now". Every order goes through the idempotent newest-wins upsert, so an import may run again
(after a failure, or beside webhooks) without duplicating or rolling anything back."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from itertools import islice

from sqlalchemy.orm import Session

from kefu.commerce import orders, stores
from kefu.commerce.connectors.base import Connector, connector_for
from kefu.commerce.models import Store
from kefu.commerce.schemas import OrderIn
from kefu.commerce.shop_schemas import SyncResult
from kefu.db import Database
from kefu.errors import InvalidInput, KefuError, NotFound
from kefu.jobs import enqueue_after_commit, job
from kefu.kit.actor import Actor
from kefu.kit.clock import Clock, as_utc, utcnow
from kefu.permissions import require

log = logging.getLogger(__name__)

JOB = "commerce.sync_store"
# an incremental import looks back this far past the last one: store clocks and webhooks
# in flight at that moment are not exact
OVERLAP = timedelta(hours=1)
BATCH_SIZE = 250

Progress = Callable[[SyncResult], None]


def sync_store(
    session: Session,
    *,
    store: Store,
    since: datetime | None = None,
    progress: Progress | None = None,
    connector: Connector | None = None,
    clock: Clock = utcnow,
) -> SyncResult:
    """Fetch the store's orders (updated since `since`; all of them when None) and upsert
    each; `progress(result)` is told after every order. Raises ConnectorRejected /
    ConnectorUnavailable when the store cannot be read; the caller's transaction decides
    what is kept."""
    result = SyncResult(store_id=store.id, started_at=clock())
    fetched = (connector or connector_for(store)).fetch_orders(since=since)
    _upsert_all(session, store, fetched, result, progress)
    _finish(store, result, clock)
    session.flush()
    return result


def _upsert_all(
    session: Session,
    store: Store,
    fetched: Iterable[OrderIn],
    result: SyncResult,
    progress: Progress | None,
) -> None:
    for data in fetched:
        _order, changed = orders.upsert_order(session, store=store, data=data)
        result.seen += 1
        result.changed += int(changed)
        if progress is not None:
            progress(result)


def _finish(store: Store, result: SyncResult, clock: Clock) -> None:
    """The import's start is the store's watermark: an order changed while the import ran
    may have been read before the change, so the next import looks again from there."""
    result.finished_at = clock()
    store.last_import_at = result.started_at
    store.last_error = ""


def import_in_batches(
    database: Database,
    *,
    store_id: int,
    since: datetime | None,
    actor: Actor,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    clock: Clock = utcnow,
) -> SyncResult:
    """`sync_store` for the job and the CLI: one transaction per `batch_size` orders, so a
    large first import keeps its progress when it fails half way (the next import then
    starts from the previous one's time again: nothing is lost, nothing doubled). The
    failure is kept on the store and raised."""
    with database.unit_of_work(actor=actor) as session:
        store = stores.get_store(session, store_id)
        session.expunge(store)  # the connector reads it across the transactions below
    result = SyncResult(store_id=store_id, started_at=clock())
    try:
        fetched = iter(connector_for(store).fetch_orders(since=since))
        while batch := list(islice(fetched, batch_size)):
            with database.unit_of_work(actor=actor) as session:
                _upsert_all(session, stores.get_store(session, store_id), batch, result, progress)
    except KefuError as exc:
        with database.unit_of_work(actor=actor) as session:
            record_sync_error(session, store_id=store_id, error=exc.message)
        raise
    with database.unit_of_work(actor=actor) as session:
        _finish(stores.get_store(session, store_id), result, clock)
    return result


def incremental_since(store: Store) -> datetime | None:
    """Where "Import orders now" starts: just before the last import, or from the start."""
    return as_utc(store.last_import_at) - OVERLAP if store.last_import_at else None


def queue_sync(session: Session, *, actor: Actor, store_id: int) -> Store:
    """Queue an import of the store's orders once the caller commits."""
    require(actor, "settings.manage")
    store = stores.get_store(session, store_id)
    if store.platform == "embedded":
        raise InvalidInput(
            "the embedded store has nothing to import from: use kefu commerce import"
        )
    enqueue_after_commit(session, JOB, store.id)
    return store


def record_sync_error(session: Session, *, store_id: int, error: str) -> None:
    store = session.get(Store, store_id)
    if store is not None:
        store.last_error = error[:2000]
        session.flush()


@job(JOB)
def sync_store_job(store_id: int) -> None:
    """Import what changed in a store since its last import; a failure is kept on the store
    (its admin page shows it) instead of being lost in a log."""
    from kefu.runtime import current

    runtime = current()
    try:
        with runtime.database.sessions() as session:
            since = incremental_since(stores.get_store(session, store_id))
        result = import_in_batches(
            runtime.database,
            store_id=store_id,
            since=since,
            actor=Actor.job(JOB),
            clock=runtime.clock,
        )
        log.info("store %s: %s orders seen, %s changed", store_id, result.seen, result.changed)
    except NotFound:
        log.warning("store %s is gone; nothing to import", store_id)
    except KefuError as exc:
        log.warning("store %s import failed: %s", store_id, exc.message)
