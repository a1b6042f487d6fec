"""`kefu commerce …`: stores and their orders from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kefu.commerce import logistics_cli
from kefu.commerce.sync_cli import sync_orders

commerce_app = typer.Typer(help="Stores and orders: import, sync.", no_args_is_help=True)
commerce_app.command("sync")(sync_orders)
commerce_app.command("tracking-import")(logistics_cli.import_tracking)


@commerce_app.command("import")
def import_file(
    store: Annotated[int, typer.Argument(help="The store's id (see the Stores page).")],
    path: Annotated[Path, typer.Argument(help="A .json or .csv file of orders.")],
    batch: Annotated[int, typer.Option(min=1, max=5000, help="Orders per transaction.")] = 200,
) -> None:
    """Import orders from a file. Safe to run again: unchanged orders are left alone."""
    from kefu.cli import (
        opened_database,
        out,
        progress_bar,
    )
    from kefu.commerce import stores
    from kefu.commerce.order_import import import_orders, read_orders

    with opened_database() as (_settings, database):
        with database.sessions() as session:
            currency = stores.get_store(session, store).currency
        candidates = read_orders(path, currency=currency)
        with progress_bar() as progress:
            task = progress.add_task("commerce: import", total=len(candidates))
            report = import_orders(
                database,
                store_id=store,
                candidates=candidates,
                batch_size=batch,
                progress=lambda count: progress.advance(task, count),
            )
    out.print(
        f"{report.total} orders: {report.created} new, {report.updated} updated, "
        f"{report.unchanged} unchanged, {len(report.errors)} refused."
    )
    for error in report.errors[:50]:
        out.print(f"  {error}")
    if len(report.errors) > 50:
        out.print(f"  … and {len(report.errors) - 50} more")
    if report.errors:
        raise typer.Exit(1)
