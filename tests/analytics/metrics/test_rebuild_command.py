"""`kefu analytics rebuild` from the command line recomputes what the handler would."""

import subprocess
import sys
from pathlib import Path

import pytest

from kefu.analytics.models import TicketMetrics
from kefu.db import Database
from tests.analytics.metrics.factories import (
    FakeClock,
    agent,
    agent_replies,
    clock,
    customer_writes,
    metrics_table,
    rollup_table,
    run_handlers,
)

__all__ = ["clock"]


@pytest.mark.slow
def test_the_rebuild_command_reports_the_count_and_restores_the_rows(
    database: Database, database_url: str, tmp_path: Path, clock: FakeClock
) -> None:
    ann = agent(database, "ann@example.com")
    clock.at(2, 9)
    ticket = customer_writes(database)
    clock.at(2, 10)
    agent_replies(database, ann, ticket)
    run_handlers(database)
    metrics, rollups = metrics_table(database), rollup_table(database)
    with database.unit_of_work() as session:
        session.execute(TicketMetrics.__table__.delete())
    env = {"KEFU_DATABASE_URL": database_url, "KEFU_DATA_DIR": str(tmp_path), "PATH": "/usr/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "kefu", "analytics", "rebuild"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Recomputed the metrics of 1 tickets." in result.stdout
    assert metrics_table(database) == metrics
    assert rollup_table(database) == rollups
