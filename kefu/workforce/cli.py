"""`kefu workforce …`: forecasting and staffing from the command line."""

import typer

from kefu.workforce.staffing.cli import register as register_staffing

app = typer.Typer(help="Workforce management: forecast, staffing.", no_args_is_help=True)
register_staffing(app)
