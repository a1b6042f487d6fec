"""`kefu analytics …`: recomputing the metrics from the event history."""

from typing import Annotated

import typer

analytics_app = typer.Typer(help="Metrics and reports.", no_args_is_help=True)


@analytics_app.command("rebuild")
def rebuild(
    batch: Annotated[int, typer.Option(min=1, max=20_000, help="Tickets per transaction.")] = 1000,
) -> None:
    """Recompute every ticket's metrics from its events, then the rollups (after an
    upgrade, a restore, or a change in how a metric is defined)."""
    from kefu.analytics.service import rebuild as rebuild_all
    from kefu.cli import out, rebuild_with_progress

    done = rebuild_with_progress("analytics: tickets", rebuild_all, batch_size=batch)
    out.print(f"Recomputed the metrics of {done} tickets.")
