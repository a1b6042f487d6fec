"""`kefu commerce …`: stores and their orders from the command line."""

from __future__ import annotations

import typer

from kefu.commerce import sync_cli

app = typer.Typer(name="commerce", help="Stores and their orders.", no_args_is_help=True)
app.command("sync")(sync_cli.sync_orders)
