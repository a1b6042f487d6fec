"""`kefu ai …`: measure the offline intent classifier on labelled CSV files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

ai_app = typer.Typer(help="Offline AI: intent, sentiment, urgency.", no_args_is_help=True)


@ai_app.command("eval")
def evaluate(
    train: Annotated[Path, typer.Option(help="CSV with columns text,intent to train on.")],
    test: Annotated[Path, typer.Option(help="CSV with columns text,intent to measure on.")],
    calibration: Annotated[
        Path | None,
        typer.Option(help="CSV to calibrate the out-of-scope threshold on (rows labelled oos)."),
    ] = None,
    shots: Annotated[
        int | None, typer.Option(min=1, help="Train on this many examples per intent.")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed for drawing the --shots examples.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Train the intent classifier on TRAIN, measure it on TEST: macro-F1, accuracy,
    out-of-scope recall, speed and memory. Rows labelled `oos` are out of scope."""
    from kefu.ai import evaluation
    from kefu.cli import clear_errors, out, progress_bar, step_reporter

    with clear_errors(), progress_bar() as progress:
        report = step_reporter(progress, "ai")

        options = evaluation.Evaluation(train, test, calibration, shots, seed)
        result = evaluation.run(options, report=report)
    if as_json:
        typer.echo(json.dumps(result))
        return
    for key, value in result.items():
        out.print(f"{key:>20}  {value}")


@ai_app.command("train")
def train(
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """Train the live intent model on the taxonomy's seed examples and the tickets agents
    labelled; measure it on a held-out part of those tickets; save it (the newest is live)."""
    from kefu.ai import training
    from kefu.cli import (
        opened_database,
        out,
        progress_bar,
        step_reporter,
    )
    from kefu.config import secret_key
    from kefu.kit.actor import Actor

    with opened_database(migrate=False) as (settings, database), progress_bar() as progress:
        report = step_reporter(progress, "ai")
        row = training.train_and_save(
            database, key=secret_key(settings), actor=Actor.job("cli:ai.train"), report=report
        )
    assert row is not None
    figures = {key: value for key, value in (row.metrics or {}).items() if key != "confusion"}
    result = {"version": row.version, "seed_rows": row.seed_rows,
              "labelled_rows": row.labelled_rows, "held_out_rows": row.held_out_rows,
              "threshold": row.threshold} | figures  # fmt: skip
    if as_json:
        typer.echo(json.dumps(result))
        return
    for key, value in result.items():
        out.print(f"{key:>20}  {value}")
    if not figures.get("test_rows"):
        out.print(f"Too few labelled tickets to measure (at least {training.MIN_TO_MEASURE}).")


@ai_app.command("trends")
def compute_trends(
    days: Annotated[
        int, typer.Option(min=2, max=90, help="The window: this period is its last half.")
    ] = 14,
    as_json: Annotated[bool, typer.Option("--json", help="Print the topics as JSON.")] = False,
) -> None:
    """Group the first messages of the last DAYS days' tickets into topics, name them by
    their key terms, compare this period with the previous one and store the snapshot the
    trends report shows."""
    from kefu.ai import trends, trends_view
    from kefu.cli import (
        opened_database,
        out,
        progress_bar,
        step_reporter,
    )
    from kefu.kit.actor import Actor

    with opened_database(migrate=False) as (_settings, database):
        with progress_bar() as progress:
            report = step_reporter(progress, "trends")
            snapshot_id = trends.compute(
                database, actor=Actor.job("cli:ai.trends"), days=days, report=report
            )
        with database.sessions() as session:
            context = trends_view.page_context(session, snapshot_id)
    rows = [{"topic": t.name, "terms": t.terms, "this_period": t.current,
             "previous_period": t.previous, "change": t.change, "ratio": t.ratio}
            for t in context["topics"]]  # fmt: skip
    if as_json:
        typer.echo(json.dumps({"snapshot": snapshot_id, "tickets": context["snapshot"].messages,
                               "topics": rows}, ensure_ascii=False))  # fmt: skip
        return
    out.print(f"{context['snapshot'].messages} tickets, {len(rows)} topics")
    for row in rows:
        ratio = f" ×{row['ratio']}" if row["ratio"] is not None else ""
        out.print(f"{row['this_period']:>6} {row['previous_period']:>6}  "
                  f"{row['change']:<8}{ratio:<8} {row['topic']}")  # fmt: skip
