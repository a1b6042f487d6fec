"""CSV import of older history: good rows stored (again: replaced), every refused row named
by its line and reason, unusable files refused whole; the same from the command line."""

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import func, select
from typer.testing import CliRunner

from kefu.cli import app
from kefu.db import Database
from kefu.errors import InvalidInput
from kefu.workforce.models import VolumeHistory
from tests.workforce.forecast.factories import import_text, make_queue

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
MIXED = """start,contacts,aht_seconds
2026-11-02 08:00,12,200
2026-11-02 08:10,3,
2026-11-02 08:30,-1,
2026-11-02 09:00,4,fast
yesterday,5,
2026-11-02 08:00,7,
2026-12-01 08:00,7,

2026-11-02T09:30:00+08:00,9,
"""


def _history(database: Database, queue_id: int) -> list[tuple[datetime, int, float | None]]:
    with database.sessions() as session:
        rows = session.scalars(
            select(VolumeHistory)
            .where(VolumeHistory.queue_id == queue_id)
            .order_by(VolumeHistory.start_at)
        )
        return [(row.start_at, row.contacts, row.aht_seconds) for row in rows]


def test_refused_rows_are_reported_with_line_and_reason(database: Database) -> None:
    # given a 30-minute queue
    queue = make_queue(database)
    # when a file with good and bad rows is imported
    report = import_text(database, queue_id=queue.id, text=MIXED, now=NOW)
    # then the good rows are stored and each bad one is named
    assert (report.rows, report.imported, report.replaced) == (8, 2, 0)
    assert [(r.line, r.reason) for r in report.rejected] == [
        (3, "start 2026-11-02 08:10 is not on a 30-minute interval boundary."),
        (4, "contacts '-1' is not a whole number of 0 or more."),
        (5, "aht_seconds 'fast' is not a number of seconds above 0."),
        (6, "start 'yesterday' is not a date and time like 2026-11-11 20:00."),
        (7, "the interval 2026-11-02 08:00 repeats line 2."),
        (8, "start 2026-12-01 08:00 is in the future."),
    ]
    assert _history(database, queue.id) == [
        (datetime(2026, 11, 2, 1, 30, tzinfo=UTC), 9, None),
        (datetime(2026, 11, 2, 8, 0, tzinfo=UTC), 12, 200.0),
    ]


def test_importing_again_replaces_the_intervals(database: Database) -> None:
    queue = make_queue(database)
    import_text(database, queue_id=queue.id, text="start,contacts\n2026-11-02 08:00,1\n", now=NOW)
    again = "contacts;start\n5;2026-11-02 08:00\n6;2026-11-02 08:30\n"  # any column order, ;
    report = import_text(database, queue_id=queue.id, text=again, now=NOW)
    assert (report.imported, report.replaced, report.rejected) == (1, 1, [])
    assert [row[1] for row in _history(database, queue.id)] == [5, 6]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "The file is empty"),
        ("when,count\n2026-11-02 08:00,1\n", "missing: start, contacts"),
        ("start\n2026-11-02 08:00\n", "missing: contacts"),
    ],
)
def test_unusable_files_are_refused_whole(database: Database, text: str, reason: str) -> None:
    queue = make_queue(database)
    with pytest.raises(InvalidInput, match=reason):
        import_text(database, queue_id=queue.id, text=text, now=NOW)
    assert _history(database, queue.id) == []


def kefu(database_url: str, tmp_path: Path, *args: str) -> Result:
    """The kefu command in this process (a subprocess costs seconds of imports each)."""
    env = {"KEFU_DATA_DIR": str(tmp_path / "data"), "KEFU_DATABASE_URL": database_url}
    return CliRunner().invoke(app, list(args), env=env)


def test_cli_imports_with_a_report_and_exit_codes(
    database: Database, database_url: str, tmp_path: Path
) -> None:
    # given a queue and a file with one refused row
    queue = make_queue(database, name="Phone support", channel="phone")
    path = tmp_path / "history.csv"
    path.write_text("start,contacts\n2026-11-02 08:00,4\n2026-11-02 08:10,4\n", encoding="utf-8")
    # when
    result = kefu(database_url, tmp_path, "workforce", "import-history", str(path),
                  "--queue", "Phone support")  # fmt: skip
    # then: a summary, the refused line, exit 1
    assert result.exit_code == 1, result.output
    assert "2 rows: 1 imported, 0 replaced, 1 rejected." in result.stdout
    assert (
        "line 3: start 2026-11-02 08:10 is not on a 30-minute interval boundary." in result.stdout
    )
    assert len(_history(database, queue.id)) == 1
    # an unknown queue, a missing file, a queue without history: one line each, non-zero
    unknown = kefu(database_url, tmp_path, "workforce", "import-history", str(path),
                   "--queue", "Nope")  # fmt: skip
    assert unknown.exit_code == 1 and "No queue is named Nope." in unknown.stderr
    missing = kefu(database_url, tmp_path, "workforce", "import-history",
                   str(tmp_path / "absent.csv"), "--queue", "Phone support")  # fmt: skip
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    make_queue(database, name="Email", channel="email")
    young = kefu(database_url, tmp_path, "workforce", "forecast", "--queue", "Email")
    assert young.exit_code == 1
    assert "Email: Queue Email has 0 days of history" in young.stderr
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(VolumeHistory)) == 1
