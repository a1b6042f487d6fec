"""The query plans behind the inbox benchmark: every statement each request sends, with
PostgreSQL's EXPLAIN (ANALYZE, BUFFERS) or SQLite's EXPLAIN QUERY PLAN and its time.

scripts/bench --only inbox --explain   (prints them instead of measuring)"""

import time
from typing import Any

from sqlalchemy import event

from bench.inbox import requests
from bench.inbox_dataset import Dataset

TRIVIAL = ("SELECT 1",)  # the pool's liveness check


def _plan(cursor: Any, backend: str, statement: str, parameters: Any) -> list[str]:
    if backend == "postgresql":
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        return [row[0] for row in cursor.fetchall()]
    cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
    plan = [f"{'  ' * (parent != 0)}{detail}" for _, parent, _, detail in cursor.fetchall()]
    start = time.perf_counter()
    cursor.execute(statement, parameters)
    rows = len(cursor.fetchall())
    return [*plan, f"({rows} rows in {(time.perf_counter() - start) * 1000:.2f} ms)"]


def explain(dataset: Dataset, backend: str) -> str:
    engine = dataset.database.engine
    captured: list[tuple[str, Any]] = []

    def capture(*args: Any) -> None:
        statement, parameters = args[2], args[3]
        if statement.strip() not in TRIVIAL and statement.lstrip()[:6].upper() == "SELECT":
            captured.append((statement, parameters))

    lines = [f"# Query plans ({backend}, {dataset.stamp.tickets:,} tickets)", ""]
    for request in requests(dataset):
        captured.clear()
        event.listen(engine, "before_cursor_execute", capture)
        try:
            start = time.perf_counter()
            with dataset.database.sessions() as session:
                request.work(session)
            took = (time.perf_counter() - start) * 1000
        finally:
            event.remove(engine, "before_cursor_execute", capture)
        lines += [f"## {request.label}: {len(captured)} statements, {took:.1f} ms", ""]
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            for statement, parameters in captured:
                lines += ["```sql", statement.strip(), f"-- {parameters!r}"[:500], "```", "```"]
                lines += _plan(cursor, backend, statement, parameters)
                lines += ["```", ""]
            raw.rollback()
        finally:
            raw.close()
    return "\n".join(lines)
