"""`kefu workforce …`: import contact-volume history, run forecasts, staff an interval."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kefu.workforce.staffing.cli import register as register_staffing

workforce_app = typer.Typer(help="Workforce: history, forecasts.", no_args_is_help=True)
SHOWN_REJECTIONS = 50


@workforce_app.command("import-history")
def import_history_file(
    path: Annotated[
        Path, typer.Argument(help="A CSV with columns start, contacts[, aht_seconds].")
    ],
    queue: Annotated[str, typer.Option("--queue", help="The queue's name.")],
) -> None:
    """Import older contact-volume history for a queue. Safe to run again: an interval
    imported before is replaced. Exits 1 when any row was refused."""
    from kefu.cli import (
        fail,
        opened_database,
        out,
        progress_bar,
    )
    from kefu.kit.actor import Actor
    from kefu.kit.clock import utcnow
    from kefu.workforce.history_import import decode_upload, import_history
    from kefu.workforce.queues import queue_by_name

    try:
        data = path.read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}", 2)
    actor = Actor(kind="system", name="kefu workforce import-history")
    with opened_database() as (_settings, database):
        text = decode_upload(data)
        with progress_bar() as progress, database.unit_of_work(actor=actor) as session:
            task = progress.add_task(f"workforce: import {path.name}", total=None)
            found = queue_by_name(session, queue)
            report = import_history(
                session,
                actor=actor,
                queue_id=found.id,
                text=text,
                now=utcnow(),
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
    out.print(
        f"{report.rows} rows: {report.imported} imported, {report.replaced} replaced, "
        f"{len(report.rejected)} rejected."
    )
    for row in report.rejected[:SHOWN_REJECTIONS]:
        out.print(f"  line {row.line}: {row.reason}", markup=False)
    if len(report.rejected) > SHOWN_REJECTIONS:
        out.print(f"  … and {len(report.rejected) - SHOWN_REJECTIONS} more")
    if report.rejected:
        raise typer.Exit(1)


@workforce_app.command("forecast")
def forecast(
    queue: Annotated[
        str | None, typer.Option("--queue", help="One queue's name (default: every active one).")
    ] = None,
    weeks: Annotated[int, typer.Option(min=1, max=8, help="Weeks ahead.")] = 8,
) -> None:
    """Forecast now (the hourly job does this once a local day): backtest the models,
    keep the best per queue, print its WAPE. Exits 1 when a queue could not be forecast."""
    from kefu.cli import (
        err,
        opened_database,
        out,
        progress_bar,
    )
    from kefu.errors import KefuError
    from kefu.kit.actor import Actor
    from kefu.kit.clock import utcnow
    from kefu.workforce.queues import list_queues, queue_by_name
    from kefu.workforce.runs import run_forecast

    actor = Actor(kind="system", name="kefu workforce forecast")
    failed = 0
    with opened_database() as (_settings, database):
        with database.unit_of_work(actor=actor) as session:
            chosen = (
                [queue_by_name(session, queue)] if queue else list_queues(session, active_only=True)
            )
            names = [(item.id, item.name) for item in chosen]
        with progress_bar() as progress:
            task = progress.add_task("workforce: forecast", total=len(names))
            for queue_id, name in names:
                try:
                    with database.unit_of_work(actor=actor) as session:
                        run = run_forecast(session, queue_id=queue_id, now=utcnow(), weeks=weeks)
                        wape = "n/a" if run.wape is None else f"{run.wape:.1%}"
                        out.print(f"{name}: {run.model}, backtest WAPE {wape}", markup=False)
                except KefuError as exc:
                    err.print(f"{name}: {exc.message}", markup=False)
                    failed += 1
                progress.advance(task)
    if not names:
        out.print("No active queues: add one at /workforce/queues.")
    if failed:
        raise typer.Exit(1)


# `kefu workforce staffing` (kefu/workforce/staffing/cli.py) joins the same group.
register_staffing(workforce_app)
