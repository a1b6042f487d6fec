"""The shops kefu serves and their connector secrets (encrypted with the instance key)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.commerce.models import Store
from kefu.commerce.schemas import StoreCreate, StoreFields, StoreRead
from kefu.errors import InvalidInput, NotFound
from kefu.kit import secretbox
from kefu.kit.actor import Actor
from kefu.permissions import require
from kefu.runtime import instance_key

SECRET_COLUMNS = {"api_secret": "api_secret_enc", "webhook_secret": "webhook_secret_enc"}


def get_store(session: Session, store_id: int) -> Store:
    store = session.get(Store, store_id)
    if store is None:
        raise NotFound(f"store {store_id} does not exist")
    return store


def list_stores(session: Session, *, include_inactive: bool = True) -> list[Store]:
    statement = select(Store).order_by(Store.name, Store.id)
    if not include_inactive:
        statement = statement.where(Store.is_active.is_(True))
    return list(session.scalars(statement))


def store_read(store: Store) -> StoreRead:
    return StoreRead.model_validate(
        {
            **{c: getattr(store, c) for c in StoreRead.model_fields if hasattr(store, c)},
            "has_api_secret": bool(store.api_secret_enc),
            "has_webhook_secret": bool(store.webhook_secret_enc),
        }
    )


def secret_of(store: Store, which: str, *, key: str | None = None) -> str:
    """A decrypted connector secret ("api_secret" or "webhook_secret"), "" when unset."""
    column = getattr(store, SECRET_COLUMNS[which])
    return secretbox.decrypt(column, key=instance_key(key)) if column else ""


def _apply(store: Store, data: StoreFields, *, key: str | None) -> None:
    values = data.model_dump(exclude_unset=True)
    if values.get("time_zone"):
        try:
            ZoneInfo(values["time_zone"])
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise InvalidInput(f"unknown time zone: {values['time_zone']}") from exc
    for field, value in values.items():
        if field in SECRET_COLUMNS:
            encrypted = secretbox.encrypt(value, key=instance_key(key)) if value else None
            setattr(store, SECRET_COLUMNS[field], encrypted)
        elif field == "currency" and value:
            store.currency = value.upper()
        elif field == "base_url" and value is not None:
            store.base_url = value.strip().rstrip("/")
        elif value is not None:
            setattr(store, field, value.value if hasattr(value, "value") else value)


def create_store(
    session: Session, *, actor: Actor, data: StoreCreate, key: str | None = None
) -> Store:
    require(actor, "settings.manage")
    store = Store(name=data.name)
    _apply(store, data, key=key)
    session.add(store)
    session.flush()
    return store


def update_store(
    session: Session, *, actor: Actor, store_id: int, data: StoreFields, key: str | None = None
) -> Store:
    require(actor, "settings.manage")
    store = get_store(session, store_id)
    _apply(store, data, key=key)
    session.flush()
    return store
