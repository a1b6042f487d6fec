"""`kefu commerce sync` and the job "commerce.sync_store": imports, and failures kept on the
store for its admin page."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from kefu.commerce.connectors import ConnectorUnavailable
from kefu.commerce.models import Order, Store
from kefu.commerce.sync import JOB, import_in_batches
from kefu.config import Settings
from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.runtime import Runtime
from tests.commerce.shop_factories import fixture, make_store
from tests.commerce.shop_servers import ShopServer


@pytest.fixture
def shopify(runtime: Runtime) -> Iterator[ShopServer]:
    with ShopServer("shopify").running() as server:
        yield server


def _orders(database: Database) -> int:
    with database.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Order)) or 0)


def _store(database: Database, store_id: int) -> Store:
    with database.sessions() as session:
        store = session.get(Store, store_id)
        assert store is not None
        session.expunge(store)
        return store


def test_the_job_imports_and_keeps_the_time(
    database: Database, runtime: Runtime, shopify: ShopServer
) -> None:
    store = make_store(database, base_url=shopify.url)
    shopify.orders = [fixture("shopify/order.json")]

    runtime.queue.enqueue(JOB, store.id)
    runtime.queue.run_pending()

    assert _orders(database) == 1
    after = _store(database, store.id)
    assert after.last_import_at is not None and after.last_error == ""


def test_a_failed_job_keeps_the_stores_reason_and_no_order(
    database: Database, runtime: Runtime, shopify: ShopServer
) -> None:
    store = make_store(database, base_url=shopify.url)
    shopify.orders = [fixture("shopify/order.json")]
    shopify.refuse = (
        403,
        {"errors": "This action requires merchant approval for read_orders scope."},
    )

    runtime.queue.enqueue(JOB, store.id)
    runtime.queue.run_pending()

    assert _orders(database) == 0
    after = _store(database, store.id)
    assert after.last_import_at is None
    assert after.last_error == (
        "Shopify refused: This action requires merchant approval for read_orders scope."
    )


def test_an_import_failing_half_way_keeps_the_pages_it_stored(
    database: Database, runtime: Runtime, shopify: ShopServer
) -> None:
    # given five orders, two a page, and Shopify failing from the third page on
    store = make_store(database, base_url=shopify.url)
    for n in range(5):
        shopify.orders.append({**fixture("shopify/order.json"), "id": 7000 + n, "refunds": []})
    shopify.refuse, shopify.refuse_from = (500, {"errors": "Internal Server Error"}), 3
    # when
    with pytest.raises(ConnectorUnavailable):
        import_in_batches(
            runtime.database, store_id=store.id, since=None, actor=Actor.system(), batch_size=2
        )
    # then the first two pages are kept, the failure is on the store, the time is not moved
    assert _orders(database) == 4
    after = _store(database, store.id)
    assert after.last_import_at is None
    assert after.last_error == "Shopify answered 500: Internal Server Error"
    # and the next import completes the rest
    shopify.refuse = None
    result = import_in_batches(
        runtime.database, store_id=store.id, since=None, actor=Actor.system(), batch_size=2
    )
    assert (result.seen, result.changed, _orders(database)) == (5, 1, 5)
    assert _store(database, store.id).last_error == ""


@pytest.mark.slow
def test_cli_sync_imports_with_progress(
    database: Database, settings: Settings, shopify: ShopServer
) -> None:
    store = make_store(database, base_url=shopify.url)
    shopify.orders = [fixture("shopify/order.json")]
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEFU_")}
    env |= {
        "KEFU_DATABASE_URL": settings.database_url,
        "KEFU_DATA_DIR": str(settings.data_dir),
        "KEFU_SECRET_KEY": str(settings.secret_key),
        "KEFU_LOG_LEVEL": "error",
    }

    def kefu(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kefu", "commerce", "sync", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    done = kefu(str(store.id), "--full")
    missing = kefu("999")

    assert done.returncode == 0, done.stderr
    assert "Shopify shop: 1 orders seen, 1 new or changed" in done.stdout
    assert _orders(database) == 1
    assert missing.returncode == 1 and "store 999 does not exist" in missing.stderr
