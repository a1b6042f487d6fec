"""Writing the analytics benchmark's rows (made once by bench/analytics_data.py) into a
fresh, migrated database in bulk: executemany in big transactions on SQLite (no journal,
no sync: scratch data), COPY on PostgreSQL."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Boolean, text

from bench import analytics_orders as orders
from bench.analytics_data import AGENTS_PER_TEAM, DAYS, END, TAGS, TEAMS, expected_teams
from kefu.accounts import service as accounts
from kefu.accounts.schemas import AgentCreate, TeamCreate
from kefu.analytics import rollup
from kefu.analytics.models import TicketMetrics
from kefu.db import Base, Database, UtcDateTime
from kefu.kit.actor import Actor
from kefu.sla import business_hours
from kefu.sla.calendar import AlwaysOpen, Calendar
from kefu.sla.schemas import ScheduleIn

SYSTEM = Actor.system()
BATCH = 20_000


def setup(database: Database) -> tuple[dict[int, list[int]], dict[int, Calendar]]:
    """Teams with their agents (via the services) and London business hours for two teams:
    ({team id: [agent id]}, {team id: calendar})."""
    with database.unit_of_work(actor=SYSTEM) as session:
        teams: dict[int, list[int]] = {}
        for t in range(TEAMS):
            team = accounts.create_team(session, actor=SYSTEM, data=TeamCreate(name=f"Team {t}"))
            teams[team.id] = [
                accounts.create_agent(
                    session,
                    actor=SYSTEM,
                    data=AgentCreate(name=f"Agent {t}.{a}", email=f"a{t}.{a}@bench.example"),
                ).id
                for a in range(AGENTS_PER_TEAM)
            ]
        week = [{"weekday": d, "start": "09:00", "end": "18:00"} for d in range(5)]
        data = ScheduleIn(
            name="London", time_zone="Europe/London", intervals=week, team_ids=list(teams)[:2]
        )
        schedule = business_hours.create_schedule(session, actor=SYSTEM, data=data)
        calendar = business_hours.calendar_of(schedule)
    calendars: dict[int, Calendar] = {t: AlwaysOpen() for t in teams}
    for team_id in list(teams)[:2]:
        calendars[team_id] = calendar
    return teams, calendars


def _sqlite_time(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


class Writer:
    """Bulk rows into a table: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.sqlite = database.engine.dialect.name == "sqlite"

    def converters(self, table: str, columns: Sequence[str]) -> list[tuple[int, Any]]:
        """(column index, conversion) for the columns that need one."""
        found: list[tuple[int, Any]] = []
        for index, name in enumerate(columns):
            kind = Base.metadata.tables[table].c[name].type
            if isinstance(kind, UtcDateTime) and self.sqlite:
                found.append((index, _sqlite_time))
            elif isinstance(kind, JSON) or "JSON" in type(kind).__name__:
                found.append((index, json.dumps))
            elif isinstance(kind, Boolean) and self.sqlite:
                found.append((index, int))
        return found

    def write(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        prepared = [list(row) for row in rows]
        if not prepared:
            return
        for index, convert in self.converters(table, columns):
            for row in prepared:
                if row[index] is not None:
                    row[index] = convert(row[index])
        if self.sqlite:  # scratch data: no sync, no key checks, one transaction a batch
            raw = self.database.engine.raw_connection()
            try:
                cursor = raw.driver_connection.cursor()  # type: ignore[union-attr]
                cursor.execute("PRAGMA synchronous=OFF")
                cursor.execute("PRAGMA foreign_keys=OFF")
                marks = ", ".join("?" for _c in columns)
                cursor.execute("BEGIN")
                cursor.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                    [tuple(r) for r in prepared],
                )
                cursor.execute("COMMIT")
                cursor.execute("PRAGMA foreign_keys=ON")
            finally:
                raw.close()
            return
        with self.database.engine.begin() as connection:
            raw = connection.connection.driver_connection
            statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
                for row in prepared:
                    copy.write_row(row)


TICKET_COLUMNS = [
    "id", "subject", "status", "priority", "type", "channel", "requester_id", "assignee_id",
    "team_id", "created_at", "updated_at", "last_message_at", "solved_at", "message_count",
]  # fmt: skip
EVENT_COLUMNS = ["id", "type", "subject_type", "subject_id", "payload", "actor", "created_at"]


def load(
    database: Database, cache: Path, *, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Write the cached rows into a fresh, migrated database; returns row counts."""
    teams, _calendars_unused = setup(database)
    assert teams == expected_teams(), "the bench expects a fresh database"
    writer = Writer(database)
    columns = {
        "tickets": TICKET_COLUMNS,
        "ticket_tags": ["ticket_id", "tag_id"],
        "events": EVENT_COLUMNS,
        TicketMetrics.__tablename__: [c.key for c in TicketMetrics.__table__.columns],
    }
    with database.engine.connect() as connection:
        offset = connection.execute(text("SELECT coalesce(max(id), 0) FROM events")).scalar_one()
    counts = {"tickets": 0, "events": 0, "rollup_rows": 0}
    with (cache / "head.pickle").open("rb") as source:
        head = pickle.load(source)  # noqa: S301  our own file, just written
    start = END - timedelta(days=DAYS + 1)
    people = head["customers"]
    for low in range(0, people, BATCH):
        writer.write(
            "customers",
            ["id", "name", "tags", "notes", "is_vip", "created_at", "updated_at"],
            [[i + 1, f"Customer {i + 1}", [], "", False, start, start]
             for i in range(low, min(people, low + BATCH))],
        )  # fmt: skip
    writer.write("tags", ["id", "name"], [[i + 1, t] for i, t in enumerate(TAGS)])
    store_id = orders.make_store(database)
    for batch in orders.batches(people, store_id):
        for table, rows in batch.items():
            writer.write(table, orders.COLUMNS[table], rows)
            counts[table] = counts.get(table, 0) + len(rows)
    for name in head["parts"]:
        with (cache / name).open("rb") as source:
            while True:
                try:
                    batch = pickle.load(source)  # noqa: S301
                except EOFError:
                    break
                for row in batch["events"]:
                    row[0] += offset
                for table, rows in batch.items():
                    writer.write(table, columns[table], rows)
                counts["tickets"] += len(batch["tickets"])
                counts["events"] += len(batch["events"])
                if progress is not None:
                    progress(len(batch["tickets"]))
    with database.engine.begin() as connection:
        rollup.insert_rows(connection, head["rollups"])
    counts["rollup_rows"] = len(head["rollups"])
    _finish(
        database,
        {
            "customers": people,
            "events": offset + head["last_event"],
            "tickets": head["tickets"],
            "tags": len(TAGS),
            "orders": counts["orders"],
            "refunds": counts["refunds"],
            "order_returns": counts["order_returns"],
        },
    )
    return counts


def _finish(database: Database, last_ids: dict[str, int]) -> None:
    """Move the id sequences past the bulk rows and refresh the planner's statistics."""
    with database.engine.begin() as connection:
        if database.engine.dialect.name == "postgresql":
            for table, value in last_ids.items():
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {max(1, value)})")
                )
        connection.execute(text("ANALYZE"))
    if database.engine.dialect.name == "postgresql":
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))
