"""The analytics benchmark's data: `tickets` tickets over a year with about five events
each (created, the customer's message, replies, reassignments, solves, reopens), written
in bulk (SQLite executemany, PostgreSQL COPY) together with their per-ticket metrics
(computed by kefu.analytics.compute, the handler's own function) and the rollups summed
from them (kefu.analytics.rollup) — what `kefu analytics rebuild` would write."""

from __future__ import annotations

import json
import pickle
import random
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from sqlalchemy import JSON, Boolean, text

from kefu.accounts import service as accounts
from kefu.accounts.schemas import AgentCreate, TeamCreate
from kefu.analytics import rollup
from kefu.analytics.compute import HistoryEvent, TicketNow, compute
from kefu.analytics.models import TicketMetrics
from kefu.db import Base, Database, UtcDateTime
from kefu.kit.actor import Actor
from kefu.sla import business_hours
from kefu.sla.calendar import AlwaysOpen, BusinessCalendar, Calendar, Interval
from kefu.sla.schemas import ScheduleIn

SYSTEM = Actor.system()
END = datetime(2026, 12, 1, tzinfo=UTC)
DAYS = 365
TEAMS, AGENTS_PER_TEAM, CUSTOMERS_PER_TICKET = 5, 8, 0.3
CHANNELS = [("email", 55), ("chat", 25), ("web", 12), ("phone", 5), ("api", 3)]
TYPES = [(None, 40), ("question", 20), ("incident", 15), ("problem", 15), ("task", 10)]
PRIORITIES = [("normal", 75), ("high", 12), ("low", 10), ("urgent", 3)]
TAGS = ["refund", "shipping", "size", "damaged", "exchange", "invoice", "vip", "pre-sale"]
HOUR_WEIGHTS = [1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 9, 8, 9, 10, 10, 9, 8, 7, 6, 5, 4, 3, 2]
BATCH = 20_000


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _w in weighted], [w for _v, w in weighted])[0]


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
        with self.database.engine.begin() as connection:
            if self.sqlite:
                marks = ", ".join("?" for _c in columns)
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
                connection.exec_driver_sql(sql, [tuple(r) for r in prepared])
                return
            raw = connection.connection.driver_connection
            statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
            with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
                for row in prepared:
                    copy.write_row(row)


def _story(
    rng: random.Random, ticket_id: int, teams: dict[int, list[int]]
) -> tuple[dict[str, Any], list[HistoryEvent]]:
    """One ticket's final state and its events."""
    created = END - timedelta(days=rng.random() * DAYS)
    created = created.replace(hour=rng.choices(range(24), HOUR_WEIGHTS)[0])
    if created >= END:
        created -= timedelta(days=1)
    team = rng.choice(list(teams))
    agent = rng.choice(teams[team])
    events: list[tuple[datetime, str, dict[str, Any]]] = []
    state = {"status": "open", "assignee_id": agent, "team_id": team, "solved_at": None}
    payload = {"status": "open", "assignee_id": agent, "team_id": team, "channel": "x"}
    events.append((created, "ticket.created", payload))
    events.append((created, "message.added", {"kind": "reply", "author_type": "customer"}))
    at = created + timedelta(seconds=min(rng.lognormvariate(8.5, 1.3), 20 * 86400))
    events.append((at, "message.added", {"kind": "reply", "author_type": "agent"}))
    if rng.random() < 0.1:  # handed to a colleague
        other = rng.choice(teams[team])
        at += timedelta(minutes=rng.randint(5, 600))
        events.append((at, "ticket.updated", {"changes": {"assignee_id": [agent, other]}}))
        state["assignee_id"] = agent = other
    if rng.random() < 0.4:  # the customer answers and is answered again
        at += timedelta(seconds=rng.lognormvariate(9, 1))
        events.append((at, "message.added", {"kind": "reply", "author_type": "customer"}))
        at += timedelta(seconds=rng.lognormvariate(8, 1.2))
        events.append((at, "message.added", {"kind": "reply", "author_type": "agent"}))
    if rng.random() < 0.92:
        at += timedelta(seconds=rng.lognormvariate(8, 1.5))
        events.append((at, "ticket.updated", {"changes": {"status": ["open", "solved"]}}))
        state["status"], state["solved_at"] = "solved", at
        if rng.random() < 0.06:  # reopened by the customer, solved again
            at += timedelta(hours=rng.randint(2, 72))
            events.append((at, "message.added", {"kind": "reply", "author_type": "customer"}))
            events.append((at, "ticket.updated", {"changes": {"status": ["solved", "open"]}}))
            at += timedelta(seconds=rng.lognormvariate(8, 1))
            events.append((at, "message.added", {"kind": "reply", "author_type": "agent"}))
            events.append((at, "ticket.updated", {"changes": {"status": ["open", "solved"]}}))
            state["solved_at"] = at
    kept = [e for e in events if e[0] < END]  # what happens after the end has not yet
    state.update(status="open", assignee_id=payload["assignee_id"], solved_at=None)
    for when, kind, body in kept:
        changes = body.get("changes", {}) if kind == "ticket.updated" else {}
        if "assignee_id" in changes:
            state["assignee_id"] = changes["assignee_id"][1]
        if "status" in changes:
            state["status"] = changes["status"][1]
            state["solved_at"] = when if state["status"] == "solved" else None
    state["created_at"] = created
    state["last_at"] = kept[-1][0]
    history = [HistoryEvent(0, kind, p, when) for when, kind, p in kept]
    return state, history


def _calendars(teams: dict[int, list[int]]) -> dict[int, Calendar]:
    london = BusinessCalendar(
        "Europe/London", tuple(Interval(d, 9 * 60, 18 * 60) for d in range(5))
    )
    return {t: (london if i < 2 else AlwaysOpen()) for i, t in enumerate(teams)}


def expected_teams() -> dict[int, list[int]]:
    """The ids `setup` gives in a fresh database (checked when it runs)."""
    return {
        t + 1: [t * AGENTS_PER_TEAM + a + 1 for a in range(AGENTS_PER_TEAM)] for t in range(TEAMS)
    }


def build(
    tickets: int, cache: Path, *, seed: int = 9, progress: Callable[[int], None] | None = None
) -> None:
    """Make every row once (the slow part: each ticket's metrics computed by the handler's
    function) into `cache`, a pickle stream of batches, then the rollup sums."""
    rng = random.Random(seed)
    teams = expected_teams()
    calendars = _calendars(teams)
    customers = max(100, int(tickets * CUSTOMERS_PER_TICKET))
    total: rollup.Sums = {}
    metric_columns = [c.key for c in TicketMetrics.__table__.columns]
    event_id = 0
    with cache.open("wb") as out:
        pickle.dump({"customers": customers, "tickets": tickets}, out)
        for low in range(0, tickets, BATCH):
            ticket_rows, tag_rows, event_rows, metric_rows = [], [], [], []
            for ticket_id in range(low + 1, min(tickets, low + BATCH) + 1):
                state, history = _story(rng, ticket_id, teams)
                channel, kind = _pick(rng, CHANNELS), _pick(rng, TYPES)
                priority = _pick(rng, PRIORITIES)
                tags = sorted(set(rng.sample(TAGS, rng.choice((0, 0, 1, 1, 2)))))
                requester = rng.randint(1, customers)
                numbered = []
                for e in history:
                    event_id += 1
                    body = (
                        {**e.payload, "channel": channel}
                        if e.type == "ticket.created"
                        else e.payload
                    )
                    numbered.append(HistoryEvent(event_id, e.type, body, e.created_at))
                    event_rows.append(
                        [event_id, e.type, "ticket", str(ticket_id), body, "bench", e.created_at]
                    )
                created = state["created_at"]
                messages = sum(e.type == "message.added" for e in history)
                ticket_rows.append([
                    ticket_id, f"Ticket {ticket_id}", state["status"], priority, kind, channel,
                    requester, state["assignee_id"], state["team_id"], created, state["last_at"],
                    state["last_at"], state["solved_at"], messages,
                ])  # fmt: skip
                tag_rows += [[ticket_id, TAGS.index(t) + 1] for t in tags]
                now = TicketNow(
                    id=ticket_id, status=state["status"], channel=channel, store_id=None,
                    team_id=state["team_id"], assignee_id=state["assignee_id"],
                    requester_id=requester, type=kind, priority=priority, tags=tuple(tags),
                    created_at=created, is_gone=False,
                )  # fmt: skip
                values = compute(now, numbered, calendars[state["team_id"]])
                values.update(ticket_id=ticket_id, intent=None, computed_at=END)
                rollup.add_into(total, SimpleNamespace(**values))
                metric_rows.append([values[c] for c in metric_columns])
            pickle.dump(
                {
                    "tickets": ticket_rows,
                    "ticket_tags": tag_rows,
                    "events": event_rows,
                    TicketMetrics.__tablename__: metric_rows,
                },
                out,
            )
            if progress is not None:
                progress(len(ticket_rows))
        pickle.dump({"rollups": rollup.rows_of(total), "events": event_id}, out)


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
    with cache.open("rb") as source:
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
        while True:
            batch = pickle.load(source)  # noqa: S301
            if "rollups" in batch:
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
        rollup.insert_rows(connection, batch["rollups"])
    counts["rollup_rows"] = len(batch["rollups"])
    _finish(database, people, offset + batch["events"], head["tickets"])
    return counts


def _finish(database: Database, customers: int, events: int, tickets: int) -> None:
    """Move the id sequences past the bulk rows and refresh the planner's statistics."""
    with database.engine.begin() as connection:
        if database.engine.dialect.name == "postgresql":
            for table, value in (
                ("customers", customers),
                ("events", events),
                ("tickets", tickets),
                ("tags", len(TAGS)),
            ):
                connection.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {value})")
                )
        connection.execute(text("ANALYZE"))
    if database.engine.dialect.name == "postgresql":
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))
