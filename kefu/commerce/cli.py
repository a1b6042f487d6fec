"""`kefu commerce …`: stores and their orders from the command line."""

from __future__ import annotations

import typer

from kefu.commerce.sync_cli import sync_orders

commerce_app = typer.Typer(help="Stores and orders: import, sync.", no_args_is_help=True)
commerce_app.command("sync")(sync_orders)
