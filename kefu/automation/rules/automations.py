"""Time-based automations: every hour, each active automation finds its tickets (the time
conditions in SQL, the rest in Python) and acts once per ticket. The mark it leaves is
removed when the ticket no longer meets the conditions, so the automation acts again only
when the ticket comes back (pending again after the customer answered, say)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from kefu.automation.rules.evaluate import fires
from kefu.automation.rules.facts import TicketFacts
from kefu.automation.rules.models import AutomationMark, Rule, RuleRun, TicketClock
from kefu.automation.rules.perform import Run, perform
from kefu.errors import KefuError
from kefu.kit.actor import Actor
from kefu.kit.clock import as_utc
from kefu.tickets.aging import TimeBound, aging_ticket_ids

log = logging.getLogger(__name__)
PAGE = 500
CLOCK_COLUMNS = {
    "pending": TicketClock.pending_since,
    "customer_message": TicketClock.last_customer_message_at,
}


def _sql_narrowing(rule: Rule, now: datetime) -> dict[str, Any]:
    """The conditions under "all" that SQL can apply: times and statuses."""
    bounds: list[TimeBound] = []
    clock_clauses = []
    statuses: list[str] = []
    for condition in rule.conditions.get("all") or []:
        key, op, value = condition["field"], condition["op"], condition.get("value")
        if key.startswith("hours_since."):
            which = key.removeprefix("hours_since.")
            moment = now - timedelta(hours=float(value))
            before, after = (moment, None) if op == "greater_than" else (None, moment)
            if which in CLOCK_COLUMNS:
                column = CLOCK_COLUMNS[which]
                clock_clauses.append(column < before if before else column > after)
            else:
                bounds.append(TimeBound(which, before=before, after=after))
        elif key == "status" and op in ("is", "in"):
            statuses = [value] if op == "is" else list(value)
    if "pending" in {c["field"].removeprefix("hours_since.") for c in rule.conditions["all"]}:
        statuses = statuses or ["pending"]
    among = select(TicketClock.ticket_id).where(*clock_clauses) if clock_clauses else None
    return {"bounds": bounds, "statuses": statuses, "among": among}


def automation_actor(rule_id: int) -> Actor:
    return Actor.job(f"automation:{rule_id}")


def run_automation(session: Session, rule: Rule, *, now: datetime) -> dict[str, int]:
    """One automation over every ticket: acts on those newly meeting its conditions, and
    re-arms those that left them. Returns counts {"acted", "failed", "rearmed"}."""
    narrowing = _sql_narrowing(rule, now)
    matching: set[int] = set()
    after_id = 0
    while True:
        ids = aging_ticket_ids(session, after_id=after_id, limit=PAGE, **narrowing)
        if not ids:
            break
        after_id = ids[-1]
        for ticket_id in ids:
            if fires(rule.conditions, TicketFacts(session, ticket_id, now)):
                matching.add(ticket_id)
    marked = set(
        session.scalars(select(AutomationMark.ticket_id).where(AutomationMark.rule_id == rule.id))
    )
    left = sorted(marked - matching)
    if left:
        session.execute(
            delete(AutomationMark).where(
                AutomationMark.rule_id == rule.id, AutomationMark.ticket_id.in_(left)
            )
        )
    counts = {"acted": 0, "failed": 0, "rearmed": len(left)}
    for ticket_id in sorted(matching - marked):
        counts["acted" if _act(session, rule, ticket_id, now) else "failed"] += 1
    return counts


def _act(session: Session, rule: Rule, ticket_id: int, now: datetime) -> bool:
    run = Run(session, rule, ticket_id, automation_actor(rule.id), None)
    try:
        with session.begin_nested():
            summary = perform(run)
            session.add(AutomationMark(rule_id=rule.id, ticket_id=ticket_id, created_at=now))
            session.add(
                RuleRun(rule_id=rule.id, ticket_id=ticket_id, outcome="fired", summary=summary)
            )
            session.flush()
    except KefuError as exc:
        log.warning("automation %s on ticket %s failed: %s", rule.id, ticket_id, exc.message)
        # marked all the same: a ticket the automation cannot change is not retried hourly
        session.add(AutomationMark(rule_id=rule.id, ticket_id=ticket_id, created_at=now))
        session.add(
            RuleRun(
                rule_id=rule.id,
                ticket_id=ticket_id,
                outcome="failed",
                summary=[],
                error=exc.message[:2000],
            )
        )
        session.flush()
        return False
    return True


_CLOCKS = TicketClock.__table__


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else as_utc(moment)


@dataclass(slots=True)
class _Clock:
    pending_since: datetime | None = None
    last_customer_message_at: datetime | None = None


def track_ticket_clocks(
    session: Session, events: list[tuple[int, str, dict[str, Any], datetime]]
) -> None:
    """Keep when each ticket became pending and when its customer last wrote, following
    (ticket id, event type, payload, time) in order. Plain rows, as a batch touches hundreds
    of tickets: one SELECT, one multi-row INSERT for the tickets without clocks, one UPDATE
    executemany for the clocks that moved (a redelivered event moves none); a copy a handler
    of the same batch holds in the session is expired, so it reads what was written."""
    ids = sorted({ticket_id for ticket_id, *_ in events})
    if not ids:
        return
    session.flush()  # clocks a handler changed as objects come first
    stored = {
        ticket_id: (_utc(pending), _utc(latest))
        for ticket_id, pending, latest in session.execute(
            select(
                _CLOCKS.c.ticket_id, _CLOCKS.c.pending_since, _CLOCKS.c.last_customer_message_at
            ).where(_CLOCKS.c.ticket_id.in_(ids))
        )
    }
    clocks = {ticket_id: _Clock(*stored.get(ticket_id, (None, None))) for ticket_id in ids}
    for ticket_id, event_type, payload, at in events:
        _follow(clocks[ticket_id], event_type, payload, at)
    inserts, updates = [], []
    for ticket_id, clock in clocks.items():
        values = {
            "pending_since": clock.pending_since,
            "last_customer_message_at": clock.last_customer_message_at,
        }
        if ticket_id not in stored:
            inserts.append({"ticket_id": ticket_id, **values})
        elif stored[ticket_id] != (clock.pending_since, clock.last_customer_message_at):
            updates.append({"b_ticket_id": ticket_id, **values})
    if inserts:
        session.execute(_CLOCKS.insert(), inserts)
    if updates:
        session.execute(
            update(_CLOCKS)
            .where(_CLOCKS.c.ticket_id == bindparam("b_ticket_id"))
            .values(
                pending_since=bindparam("pending_since"),
                last_customer_message_at=bindparam("last_customer_message_at"),
            ),
            updates,
        )
        for row in updates:
            held = session.identity_map.get(identity_key(TicketClock, row["b_ticket_id"]))
            if held is not None:
                session.expire(held)


def _follow(clock: _Clock, event_type: str, payload: dict[str, Any], at: datetime) -> None:
    if event_type == "message.added":
        if payload.get("author_type") == "customer":
            latest = clock.last_customer_message_at
            clock.last_customer_message_at = at if latest is None or at > latest else latest
    else:
        status = payload.get("status")
        change = (payload.get("changes") or {}).get("status")
        if isinstance(change, list) and len(change) == 2:
            status = change[1]
        if status == "pending":
            clock.pending_since = clock.pending_since or at
        elif status is not None:
            clock.pending_since = None
