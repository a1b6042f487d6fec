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
    from kefu.cli import clear_errors, out, progress_bar

    with clear_errors(), progress_bar() as progress:
        tasks: dict[str, int] = {}

        def report(what: str, done: int, total: int) -> None:
            if what not in tasks:
                tasks[what] = progress.add_task(f"ai: {what}", total=total)
            progress.update(tasks[what], completed=done)

        options = evaluation.Evaluation(train, test, calibration, shots, seed)
        result = evaluation.run(options, report=report)
    if as_json:
        typer.echo(json.dumps(result))
        return
    for key, value in result.items():
        out.print(f"{key:>20}  {value}")
