"""Stores JSON API under /api/v1 (admins): connector secrets go in, never come out."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, status

from kefu.api.routing import NOT_FOUND, api_router
from kefu.commerce import stores, sync
from kefu.commerce.schemas import StoreCreate, StoreFields, StoreRead
from kefu.commerce.shop_schemas import SyncQueued
from kefu.kit.bounds import INT4_MAX
from kefu.permissions import require
from kefu.web.deps import ApiActor, DbSession

router = api_router("stores")
StoreId = Annotated[int, Path(ge=1, le=INT4_MAX, description="the store's id", examples=[1])]


@router.get("/stores", response_model=list[StoreRead])
def list_stores(session: DbSession, actor: ApiActor) -> list[StoreRead]:
    require(actor, "settings.manage")
    return [stores.store_read(s) for s in stores.list_stores(session)]


@router.post("/stores", response_model=StoreRead, status_code=status.HTTP_201_CREATED)
def create_store(data: StoreCreate, session: DbSession, actor: ApiActor) -> StoreRead:
    """A shop kefu serves. `api_secret` (Shopify: the Admin API access token; WooCommerce: the
    consumer secret) and `webhook_secret` are write-only: reads say only whether they are set."""
    return stores.store_read(stores.create_store(session, actor=actor, data=data))


@router.get("/stores/{store_id}", response_model=StoreRead, responses=NOT_FOUND)
def get_store(store_id: StoreId, session: DbSession, actor: ApiActor) -> StoreRead:
    require(actor, "settings.manage")
    return stores.store_read(stores.get_store(session, store_id))


@router.patch("/stores/{store_id}", response_model=StoreRead, responses=NOT_FOUND)
def update_store(
    store_id: StoreId, data: StoreFields, session: DbSession, actor: ApiActor
) -> StoreRead:
    """Change what is sent; a secret left out is kept, an empty one is removed."""
    store = stores.update_store(session, actor=actor, store_id=store_id, data=data)
    return stores.store_read(store)


@router.post(
    "/stores/{store_id}/sync",
    response_model=SyncQueued,
    status_code=status.HTTP_202_ACCEPTED,
    responses=NOT_FOUND,
)
def sync_store(store_id: StoreId, session: DbSession, actor: ApiActor) -> SyncQueued:
    """Queue an import of the orders changed since the last import (all of them the first
    time); the store's `last_import_at` and `last_error` tell how it went."""
    store = sync.queue_sync(session, actor=actor, store_id=store_id)
    return SyncQueued(store_id=store.id)
