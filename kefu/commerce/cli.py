"""`kefu commerce …`: stores and orders from the command line."""

from __future__ import annotations

import typer

from kefu.commerce import logistics_cli

commerce_app = typer.Typer(help="Stores and orders: import, sync.", no_args_is_help=True)
commerce_app.command("tracking-import")(logistics_cli.import_tracking)
