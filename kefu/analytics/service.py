"""Keeping the per-ticket metrics and the rollups: `refresh` recomputes some tickets from
their event history and moves the rollups by the difference (the event handler); `rebuild`
recomputes every ticket and writes the rollups afresh (`kefu analytics rebuild`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from kefu.analytics import rollup
from kefu.analytics.compute import HISTORY_TYPES, HistoryEvent, TicketNow, compute
from kefu.analytics.models import TicketMetrics
from kefu.db import Database
from kefu.events import Event
from kefu.kit.actor import Actor
from kefu.kit.bulk_rows import execute_rows, insert_rows
from kefu.kit.clock import as_utc, utcnow
from kefu.prepared_reads import Snapshot, changed_since, snapshot
from kefu.sla import business_hours, outcomes
from kefu.sla.calendar import Calendar
from kefu.tickets import queries as ticket_queries

REBUILD_BATCH = 1000
# what the events decide (the intent is set by `set_intent`, kept by a recompute)
_COLUMNS = [
    c.key
    for c in TicketMetrics.__table__.columns
    if c.key not in ("ticket_id", "computed_at", "intent")
]
_TABLE = TicketMetrics.__table__
_EVENTS = Event.__table__
_EVENT_COLUMNS = ("id", "type", "payload", "created_at", "subject_id")
_TICKET_COLUMNS = (
    *("status", "channel", "store_id", "team_id", "assignee_id", "requester_id", "type"),
    *("priority", "created_at", "deleted_at", "merged_into_id"),
)


class _Calendars:
    """Business calendars by (team, store), looked up once per batch."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: dict[tuple[int | None, int | None], Calendar] = {}

    def get(self, team_id: int | None, store_id: int | None) -> Calendar:
        key = (team_id, store_id)
        if key not in self.known:
            schedule = business_hours.schedule_for(self.session, team_id=team_id, store_id=store_id)
            self.known[key] = business_hours.calendar_of(schedule)
        return self.known[key]


def histories(session: Session, ticket_ids: list[int]) -> dict[int, list[HistoryEvent]]:
    found: dict[int, list[HistoryEvent]] = {ticket_id: [] for ticket_id in ticket_ids}
    for start in range(0, len(ticket_ids), 1000):
        subjects = [str(i) for i in ticket_ids[start : start + 1000]]
        rows = session.execute(  # the table's columns: plain rows, no ORM loading
            select(*(_EVENTS.c[name] for name in _EVENT_COLUMNS)).where(
                _EVENTS.c.subject_type == "ticket",
                _EVENTS.c.subject_id.in_(subjects),
                _EVENTS.c.type.in_(HISTORY_TYPES),
            )
        )
        for event_id, kind, payload, created_at, subject in rows:
            found[int(subject)].append(
                HistoryEvent(event_id, kind, payload or {}, as_utc(created_at))
            )
    return found


def tickets_now(session: Session, ticket_ids: list[int]) -> dict[int, TicketNow]:
    found = {}
    for start in range(0, len(ticket_ids), 1000):
        part = ticket_ids[start : start + 1000]
        for t, tags in ticket_queries.ticket_values_with_tags(session, part, _TICKET_COLUMNS):
            found[t.id] = TicketNow(
                id=t.id,
                status=t.status,
                channel=t.channel,
                store_id=t.store_id,
                team_id=t.team_id,
                assignee_id=t.assignee_id,
                requester_id=t.requester_id,
                type=t.type,
                priority=t.priority,
                tags=tuple(tags),
                created_at=as_utc(t.created_at),
                is_gone=t.deleted_at is not None or t.merged_into_id is not None,
            )
    return found


def computed(
    session: Session, ticket_ids: list[int], fulfilled: dict[int, set[str]] | None = None
) -> dict[int, dict[str, Any] | None]:
    """Each ticket's metrics values (None: the ticket no longer exists); `fulfilled`: its
    met SLA metrics, when already read."""
    now = tickets_now(session, ticket_ids)
    events = histories(session, ticket_ids)
    if fulfilled is None:
        fulfilled = outcomes.fulfilled_metrics(session, ticket_ids)
    calendars = _Calendars(session)
    result: dict[int, dict[str, Any] | None] = {}
    for ticket_id in ticket_ids:
        ticket = now.get(ticket_id)
        if ticket is None:
            result[ticket_id] = None
            continue
        calendar = calendars.get(ticket.team_id, ticket.store_id)
        result[ticket_id] = compute(ticket, events[ticket_id], calendar, fulfilled[ticket_id])
    return result


def _same(row: Any, values: dict[str, Any]) -> bool:
    for name in _COLUMNS:
        old, new = getattr(row, name), values[name]
        if hasattr(old, "tzinfo") and old is not None:
            old = as_utc(old)
        if old != new:
            return False
    return True


@dataclass(frozen=True, slots=True)
class Precomputed:
    """Tickets' metrics values worked out in a reading session (`prepare`), with the SLA
    metrics they were met on and where the reading stood."""

    snapshot: Snapshot
    values: dict[int, dict[str, Any] | None]
    fulfilled: dict[int, set[str]]


def precompute(session: Session, ticket_ids: Iterable[int]) -> Precomputed:
    """`computed` ahead of the transaction that will write it (kefu/prepared_reads.py)."""
    ids = sorted(set(ticket_ids))
    since = snapshot(session)
    fulfilled = outcomes.fulfilled_metrics(session, ids)
    return Precomputed(since, computed(session, ids, fulfilled), fulfilled)


def current_values(
    session: Session, ticket_ids: list[int], precomputed: Precomputed | None = None
) -> dict[int, dict[str, Any] | None]:
    """`computed` now, taking from `precomputed` each ticket it still holds for: no event
    about the ticket since its reading, and the same SLA metrics met (the sla handler of the
    same batch may have fulfilled one since, without an event)."""
    if precomputed is None:
        return computed(session, ticket_ids)
    fulfilled = outcomes.fulfilled_metrics(session, ticket_ids)
    stale = changed_since(session, precomputed.snapshot, "ticket", ticket_ids)
    kept = {
        ticket_id: precomputed.values[ticket_id]
        for ticket_id in ticket_ids
        if ticket_id not in stale
        and ticket_id in precomputed.values
        and precomputed.fulfilled.get(ticket_id) == fulfilled[ticket_id]
    }
    rest = [ticket_id for ticket_id in ticket_ids if ticket_id not in kept]
    if rest:
        kept.update(computed(session, rest, {i: fulfilled[i] for i in rest}))
    return {ticket_id: kept[ticket_id] for ticket_id in ticket_ids}


def refresh(
    session: Session, ticket_ids: Iterable[int], precomputed: Precomputed | None = None
) -> int:
    """Recompute these tickets' metrics and move the rollups by what changed. Returns how
    many rows changed (re-running it changes none). `precomputed`: values worked out before
    the transaction, used where they still hold.

    Rows are read and written as plain rows (one SELECT, one multi-row INSERT, one UPDATE
    executemany, one DELETE): a batch touches hundreds of tickets, and loading and flushing
    them as ORM objects cost more than computing them. Copies of these rows that a handler
    of the same batch holds in the session are expired, so they read what was written."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return 0
    session.flush()  # a handler's pending TicketMetrics changes first (set_intent)
    rows = {
        row.ticket_id: row
        for row in session.execute(
            select(_TABLE)
            .where(_TABLE.c.ticket_id.in_(ids))
            .order_by(_TABLE.c.ticket_id)
            .with_for_update()
        )
    }
    delta: rollup.Sums = {}
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    gone: list[int] = []
    for ticket_id, values in current_values(session, ids, precomputed).items():
        row = rows.get(ticket_id)
        if values is None:
            if row is not None:
                rollup.add_into(delta, row, -1)
                gone.append(ticket_id)
            continue
        if row is not None and _same(row, values):
            continue
        if row is not None:
            rollup.add_into(delta, row, -1)
        written = {**values, "computed_at": utcnow()}
        rollup.add_into(delta, SimpleNamespace(**written, intent=row.intent if row else None), 1)
        if row is None:
            inserts.append({"ticket_id": ticket_id, "intent": None, **written})
        else:
            updates.append({"b_ticket_id": ticket_id, **written})
    _write(session, inserts, updates, gone)
    rollup.apply(session, delta)
    return len(inserts) + len(updates) + len(gone)


def _write(
    session: Session, inserts: list[dict[str, Any]], updates: list[dict[str, Any]], gone: list[int]
) -> None:
    insert_rows(session, _TABLE, inserts)
    execute_rows(session, _UPDATE, updates)
    if gone:
        session.execute(delete(_TABLE).where(_TABLE.c.ticket_id.in_(gone)))
    for ticket_id in [*(r["b_ticket_id"] for r in updates), *gone]:
        held = session.identity_map.get(identity_key(TicketMetrics, ticket_id))
        if held is not None:
            if ticket_id in gone:
                session.expunge(held)
            else:
                session.expire(held)


_UPDATE = (
    update(_TABLE)
    .where(_TABLE.c.ticket_id == bindparam("b_ticket_id"))
    .values({name: bindparam(name) for name in (*_COLUMNS, "computed_at")})
)


def set_intent(session: Session, ticket_id: int, intent: str | None) -> None:
    """The AI's (or an agent's) reading of what the customer wants, for the intent
    breakdown: moves the ticket's contribution to the new intent."""
    row = session.get(TicketMetrics, ticket_id, with_for_update=True)
    if row is None or row.intent == intent:
        return
    delta: rollup.Sums = {}
    rollup.add_into(delta, row, -1)
    row.intent = intent
    rollup.add_into(delta, row, 1)
    session.flush()
    rollup.apply(session, delta)


def _created_ticket_ids(session: Session, after_event: int, limit: int) -> list[tuple[int, int]]:
    return [
        (event_id, int(subject))
        for event_id, subject in session.execute(
            select(Event.id, Event.subject_id)
            .where(Event.type == "ticket.created", Event.id > after_event)
            .order_by(Event.id)
            .limit(limit)
        )
    ]


def rebuild(
    database: Database,
    *,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = REBUILD_BATCH,
) -> int:
    """Recompute every ticket's metrics from the event history, then the rollups from
    them. Returns the number of tickets. (Run it while events are not being handled, or
    run the handler's backlog afterwards: the rollups are written last, whole.)"""
    actor = Actor.job("analytics.rebuild")
    with database.sessions() as session:
        total = (
            session.scalar(
                select(func.count()).select_from(Event).where(Event.type == "ticket.created")
            )
            or 0
        )
    started = utcnow()
    done = last = 0
    while True:
        with database.unit_of_work(actor=actor) as session:
            batch = _created_ticket_ids(session, last, batch_size)
            if not batch:
                break
            last = batch[-1][0]
            ids = sorted({ticket_id for _e, ticket_id in batch})
            kept = select(TicketMetrics.ticket_id, TicketMetrics.intent).where(
                TicketMetrics.ticket_id.in_(ids)
            )
            intents = dict(session.execute(kept).all())
            rows = []
            for ticket_id, values in computed(session, ids).items():
                if values is not None:
                    rows.append(
                        {
                            "ticket_id": ticket_id,
                            "computed_at": utcnow(),
                            "intent": intents.get(ticket_id),
                            **values,
                        }
                    )
            session.execute(delete(TicketMetrics).where(TicketMetrics.ticket_id.in_(ids)))
            if rows:
                session.execute(TicketMetrics.__table__.insert(), rows)
            done += len(batch)
        if progress is not None:
            progress(done, max(total, done))
    with database.unit_of_work(actor=actor) as session:
        # tickets without a "ticket.created" event left (none, unless events were pruned)
        session.execute(delete(TicketMetrics).where(TicketMetrics.computed_at < started))
        rollup.replace_all(session, rebuild_sums(session))
    return done


def rebuild_sums(session: Session) -> rollup.Sums:
    """Every ticket's contribution summed, read in pages."""
    total: rollup.Sums = {}
    last = -1
    while True:
        page = list(
            session.scalars(
                select(TicketMetrics)
                .where(TicketMetrics.ticket_id > last)
                .order_by(TicketMetrics.ticket_id)
                .limit(5000)
            )
        )
        if not page:
            return total
        for row in page:
            rollup.add_into(total, row)
        last = page[-1].ticket_id
        session.expunge_all()
