"""`kefu workforce staffing`: one interval's staffing by Erlang C or A, as a table or JSON."""

import json
import math
from typing import Annotated

import typer

from kefu.errors import InvalidInput
from kefu.kit.i18n import gettext as _
from kefu.workforce.staffing.erlang import Staffing, staff_interval

JSON_DECIMALS = {"offered_load_erlangs": 4, "asa_seconds": 2}


def staffing(
    volume: Annotated[float, typer.Option(help="Contacts arriving in the interval.")],
    aht_seconds: Annotated[float, typer.Option(help="Average handle time in seconds.")],
    interval_minutes: Annotated[int, typer.Option(help="Interval length in minutes.")] = 30,
    service_level: Annotated[
        float, typer.Option(help="Target share answered within --answer-within-seconds.")
    ] = 0.8,
    answer_within_seconds: Annotated[
        float, typer.Option(help="The service level's threshold in seconds.")
    ] = 20,
    max_occupancy: Annotated[float, typer.Option(help="Highest share of time busy.")] = 0.85,
    shrinkage: Annotated[
        float, typer.Option(help="Share of paid time not on the floor (leave, training).")
    ] = 0.3,
    patience_seconds: Annotated[
        float | None, typer.Option(help="Customers' mean patience: Erlang A with abandonment.")
    ] = None,
    concurrency: Annotated[int, typer.Option(help="Contacts an agent handles at once.")] = 1,
    asa_target_seconds: Annotated[
        float | None,
        typer.Option(help="Average-speed-of-answer target, used instead of the service level."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Agents needed for one interval (Erlang C, or Erlang A with --patience-seconds)."""
    from kefu.cli import fail, out

    try:
        result = staff_interval(
            volume=volume,
            interval_minutes=interval_minutes,
            aht_seconds=aht_seconds,
            service_level=None if asa_target_seconds is not None else service_level,
            answer_within_seconds=answer_within_seconds,
            max_occupancy=max_occupancy,
            shrinkage=shrinkage,
            patience_seconds=patience_seconds,
            concurrency=concurrency,
            asa_target_seconds=asa_target_seconds,
        )
    except InvalidInput as exc:
        fail(exc.message, 2)
        return
    if as_json:
        typer.echo(json.dumps(as_json_fields(result), allow_nan=False))
        return
    out.print(table(result, answer_within_seconds))


def as_json_fields(result: Staffing) -> dict[str, object]:
    """The CLI's JSON: probabilities to 4 decimals, the load to 4, ASA to 2; null abandonment
    for Erlang C."""
    fields = result.as_dict()
    for name, value in fields.items():
        if isinstance(value, float):
            finite = math.isfinite(value)  # JSON has no infinity: null rather than a crash
            fields[name] = round(value, JSON_DECIMALS.get(name, 4)) if finite else None
    return fields


def table(result: Staffing, answer_within_seconds: float):
    from rich.table import Table

    grid = Table(show_header=False, box=None, padding=(0, 2))
    grid.add_column(justify="left", style="bold")
    grid.add_column(justify="right")
    model = {"erlang_c": _("Erlang C"), "erlang_a": _("Erlang A (with abandonment)")}
    rows = [
        (_("Model"), model[result.model]),
        (_("Offered load"), _("%(load)s Erlangs", load=f"{result.offered_load_erlangs:.2f}")),
        (_("Agents on the floor"), str(result.raw_agents)),
        (_("Agents to schedule"), str(result.scheduled_agents)),
        (
            _("Service level"),
            _(
                "%(percent)s answered within %(seconds)s s",
                percent=f"{result.service_level:.1%}",
                seconds=f"{answer_within_seconds:g}",
            ),
        ),
        (_("Occupancy"), f"{result.occupancy:.1%}"),
        (_("Probability of waiting"), f"{result.wait_probability:.1%}"),
        (_("Average speed of answer"), _("%(seconds)s s", seconds=f"{result.asa_seconds:.1f}")),
    ]
    if result.abandon_rate is not None:
        rows.append((_("Abandonment"), f"{result.abandon_rate:.1%}"))
    for label, value in rows:
        grid.add_row(label, value)
    return grid


def register(group: typer.Typer) -> None:
    """Adds `staffing` to the `kefu workforce` group."""
    group.command("staffing")(staffing)
