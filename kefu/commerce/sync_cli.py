"""`kefu commerce sync STORE_ID`: import a Shopify or WooCommerce store's orders, with a
progress bar; safe to run again (each order is upserted, newest version wins)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer


def sync_orders(
    store_id: Annotated[int, typer.Argument(min=1, help="The store's id (Admin → Stores).")],
    full: Annotated[
        bool,
        typer.Option("--full", help="Every order, not only those changed since the last import."),
    ] = False,
    since: Annotated[
        datetime | None,
        typer.Option(help="Only orders updated since this UTC time (e.g. 2024-01-31)."),
    ] = None,
) -> None:
    """Import a store's orders through its connector (Shopify, WooCommerce)."""
    from datetime import UTC

    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from kefu.cli import clear_errors, connect, fail, out, prepare_schema, settings_from
    from kefu.commerce import stores
    from kefu.commerce.shop_schemas import SyncResult
    from kefu.commerce.sync import import_in_batches, incremental_since
    from kefu.errors import KefuError
    from kefu.kit.actor import Actor
    from kefu.runtime import start

    actor = Actor.job("commerce.sync_store")
    with clear_errors():
        settings = settings_from()
        database = connect(settings)
        prepare_schema(settings, database, apply=settings.is_sqlite)
        runtime = start(settings, database=database)
        with runtime.database.unit_of_work(actor=actor) as session:
            store = stores.get_store(session, store_id)
            name, platform = store.name, store.platform
            start = since.replace(tzinfo=UTC) if since and since.tzinfo is None else since
            if start is None and not full:
                start = incremental_since(store)
    if platform == "embedded":
        fail(f"store {store_id} is the embedded store: use `kefu commerce import`", 1)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=out, transient=False) as progress:
        task = progress.add_task(f"{name}: fetching orders…", total=None)

        def advance(result: SyncResult) -> None:
            progress.update(
                task,
                description=f"{name}: {result.seen} orders, {result.changed} new or changed",
            )

        try:
            result = import_in_batches(
                runtime.database,
                store_id=store_id,
                since=start,
                actor=actor,
                progress=advance,
                clock=runtime.clock,
            )
        except KefuError as exc:
            fail(exc.message, 1)
    out.print(
        f"{name}: {result.seen} orders seen, {result.changed} new or changed"
        + (f" (since {start.isoformat()})" if start else "")
    )
