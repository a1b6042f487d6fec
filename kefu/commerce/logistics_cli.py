"""`kefu commerce tracking-import FILE.csv`: carriers' tracking scans from a CSV file, with a
progress bar; bad rows are listed by line and skipped, importing again adds nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def import_tracking(
    file: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="CSV with tracking number (运单号), status (状态), time (时间) columns.",
        ),
    ],
    carrier: Annotated[
        str | None, typer.Option(help="Only shipments of this carrier code (e.g. sf-express).")
    ] = None,
    time_zone: Annotated[
        str, typer.Option(help="Time zone of times written without one (e.g. Asia/Shanghai).")
    ] = "UTC",
) -> None:
    """Import tracking scans from a carrier's CSV file."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from kefu.cli import (
        err,
        fail,
        opened_database,
        out,
        progress_bar,
    )
    from kefu.commerce.tracking_feed import count_rows, import_tracking_csv
    from kefu.kit.actor import Actor

    try:
        ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        fail(f"unknown time zone: {time_zone}", 2)
    data = file.read_bytes()
    actor = Actor(kind="system", name="kefu commerce tracking-import")
    with opened_database() as (_settings, database), progress_bar() as progress:
        task = progress.add_task(f"tracking: {file.name}", total=count_rows(data))
        with database.unit_of_work(actor=actor) as session:
            result = import_tracking_csv(
                session,
                data=data,
                time_zone=time_zone,
                carrier_code=carrier,
                on_row=lambda: progress.advance(task),
            )
    for line, reason in result.errors:
        err.print(f"line {line}: {reason}", markup=False, highlight=False)
    if result.unknown:
        shown = ", ".join(result.unknown[:20]) + (" …" if len(result.unknown) > 20 else "")
        out.print(f"No shipment has these tracking numbers: {shown}", markup=False)
    out.print(
        f"{result.recorded} new scans, {result.duplicates} already known, "
        f"{len(result.errors)} rows skipped."
    )
