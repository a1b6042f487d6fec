"""How the exact path reads SQLite (kefu.analytics.exact), checked in the query plans of
the statements it runs: under a team and a channel, tickets created are counted from the
team's creation index alone, and ratings are read through their own time's index whatever
other index the filters could use."""

from datetime import date

import pytest
from sqlalchemy import event

from kefu.analytics import queries
from kefu.analytics.filters import ReportFilter
from kefu.db import Database
from tests.analytics.metrics.test_exact import varied


def _plans(database: Database, flt: ReportFilter) -> dict[str, str]:
    """{first selected measure: its query plan} of the statements the overview page runs."""
    seen: list[tuple[str, object]] = []

    def record(_conn, _cursor, statement, params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if "analytics_ticket_metrics" in statement and statement.startswith("SELECT"):
            seen.append((statement, params))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        with database.sessions() as session:
            queries.overview_with_trend(session, flt=flt, prev=flt.previous_period())
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    plans = {}
    with database.engine.connect() as connection:
        for statement, params in seen:
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
            plans[statement] = " | ".join(str(row[-1]) for row in rows)
    return plans


def test_created_under_a_team_and_channel_is_counted_from_the_index(database: Database) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's plans")
    varied(database)  # (no statistics: kefu never runs ANALYZE)
    flt = ReportFilter(since=date(2026, 3, 3), until=date(2026, 3, 5), team_id=2, channel="email")
    plans = _plans(database, flt)
    others = ("first_reply_seconds", "resolution_seconds", "csat", "is_open")
    created = [p for s, p in plans.items() if not any(word in s for word in others)]
    rated = [p for s, p in plans.items() if "analytics_ticket_metrics.csat IN" in s]
    assert created and all(
        "COVERING INDEX ix_analytics_ticket_metrics_team_id " in p for p in created
    )
    assert rated and all("INDEX ix_analytics_ticket_metrics_csat_at " in p for p in rated)
