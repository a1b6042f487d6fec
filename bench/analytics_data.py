"""The analytics benchmark's data: `tickets` tickets over a year with about five events
each (created, the customer's message, replies, reassignments, solves, reopens), written
in bulk (SQLite executemany, PostgreSQL COPY) together with their per-ticket metrics
(computed by kefu.analytics.compute, the handler's own function) and the rollups summed
from them (kefu.analytics.rollup) — what `kefu analytics rebuild` would write."""

from __future__ import annotations

import multiprocessing
import pickle
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from kefu.analytics import rollup
from kefu.analytics.compute import HistoryEvent, TicketNow, compute
from kefu.analytics.models import TicketMetrics
from kefu.kit.actor import Actor
from kefu.sla.calendar import AlwaysOpen, BusinessCalendar, Calendar, Interval

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
EVENTS_PER_TICKET = 12  # the most a story makes is 11


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _w in weighted], [w for _v, w in weighted])[0]


def _story(
    rng: random.Random, share: float, teams: dict[int, list[int]]
) -> tuple[dict[str, Any], list[HistoryEvent]]:
    """One ticket's final state and its events; it is created `share` of the way through
    the year (at an hour of that day drawn from HOUR_WEIGHTS)."""
    created = END - timedelta(days=DAYS * (1 - share))  # ids follow time, as they do
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


def _part(
    low: int, high: int, tickets: int, seed: int, path: Path, customers: int, done: Any
) -> None:
    """Tickets low+1 … high into `path` (a pickle stream of batches, then the part's rollup
    rows); event ids from low × EVENTS_PER_TICKET + 1, so parts never share one."""
    rng = random.Random(seed)
    teams = expected_teams()
    calendars = _calendars(teams)
    total: rollup.Sums = {}
    metric_columns = [c.key for c in TicketMetrics.__table__.columns]
    event_id = low * EVENTS_PER_TICKET
    with path.open("wb") as out:
        for first in range(low, high, BATCH):
            ticket_rows, tag_rows, event_rows, metric_rows = [], [], [], []
            for ticket_id in range(first + 1, min(high, first + BATCH) + 1):
                state, history = _story(rng, (ticket_id - rng.random()) / tickets, teams)
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
            with done.get_lock():
                done.value += len(ticket_rows)
    with path.with_suffix(".rollups").open("wb") as out:
        pickle.dump({"rows": rollup.rows_of(total), "last_event": event_id}, out)


def _merge(parts: list[list[tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
    """One rollup row per (dim, key, hour): the parts' rows summed."""
    merged: dict[tuple[Any, ...], list[Any]] = {}
    for rows in parts:
        for row in rows:
            key = row[:3]
            seen = merged.get(key)
            if seen is None:
                merged[key] = list(row)
            else:
                for index in range(3, len(row)):
                    seen[index] += row[index]
    return [tuple(row) for row in merged.values()]


def build(
    tickets: int,
    cache: Path,
    *,
    seed: int = 9,
    workers: int = 2,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Make every row once into the directory `cache`: `workers` processes each make a
    contiguous share of the tickets (each ticket's metrics computed by the handler's own
    function — the slow part), then their rollup rows are summed into rollups.pickle."""
    cache.mkdir(parents=True, exist_ok=True)
    customers = max(100, int(tickets * CUSTOMERS_PER_TICKET))
    context = multiprocessing.get_context("fork")
    done = context.Value("q", 0)
    share = -(-tickets // workers)
    paths = [cache / f"part-{k}.pickle" for k in range(workers)]
    processes = [
        context.Process(
            target=_part,
            args=(k * share, min(tickets, (k + 1) * share), tickets, seed + k, paths[k]),
            kwargs={"customers": customers, "done": done},
        )
        for k in range(workers)
        if k * share < tickets
    ]
    for process in processes:
        process.start()
    reported = 0
    while any(p.is_alive() for p in processes) or reported < done.value:
        time.sleep(0.5)
        now = done.value
        if progress is not None and now > reported:
            progress(now - reported)
        reported = now
    for process in processes:
        process.join()
        if process.exitcode:
            raise RuntimeError(f"a generator process failed ({process.exitcode})")
    parts, last_event = [], 0
    for path in paths[: len(processes)]:
        with path.with_suffix(".rollups").open("rb") as source:
            found = pickle.load(source)  # noqa: S301  our own file, just written
        parts.append(found["rows"])
        last_event = max(last_event, found["last_event"])
    head = {
        "customers": customers,
        "tickets": tickets,
        "parts": [p.name for p in paths[: len(processes)]],
        "rollups": _merge(parts),
        "last_event": last_event,
    }
    with (cache / "head.pickle").open("wb") as out:
        pickle.dump(head, out)
