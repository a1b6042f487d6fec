"""`kefu commerce …`: stores and their orders from the command line."""

from __future__ import annotations

import typer

from kefu.commerce import logistics_cli

app = typer.Typer(name="commerce", help="Stores and their orders.", no_args_is_help=True)
app.command("tracking-import")(logistics_cli.import_tracking)
