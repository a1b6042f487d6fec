"""Time-based automations: every hour, each active automation finds its tickets (the time
conditions in SQL, the rest in Python) and acts once per ticket. The mark it leaves is
removed when the ticket no longer meets the conditions, so the automation acts again only
when the ticket comes back (pending again after the customer answered, say)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kefu.automation.rules.evaluate import evaluate
from kefu.automation.rules.facts import TicketFacts
from kefu.automation.rules.models import AutomationMark, Rule, RuleRun, TicketClock
from kefu.automation.rules.perform import Run, perform
from kefu.errors import KefuError
from kefu.kit.actor import Actor
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
            if evaluate(rule.conditions, TicketFacts(session, ticket_id, now)).fires:
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


def ticket_clocks(session: Session, ticket_ids: list[int]) -> dict[int, TicketClock]:
    """The tickets' clocks that exist, in one query."""
    if not ticket_ids:
        return {}
    rows = session.scalars(select(TicketClock).where(TicketClock.ticket_id.in_(set(ticket_ids))))
    return {clock.ticket_id: clock for clock in rows}


def track_ticket_clocks(
    session: Session, events: list[tuple[int, str, dict[str, Any], datetime]]
) -> None:
    """Keep when each ticket became pending and when its customer last wrote, following
    (ticket id, event type, payload, time) in order: the clocks read in one query and
    written in one flush."""
    known = ticket_clocks(session, [ticket_id for ticket_id, *_ in events])
    for ticket_id, event_type, payload, at in events:
        clock = known.get(ticket_id)
        if clock is None:
            clock = known[ticket_id] = TicketClock(ticket_id=ticket_id)
            session.add(clock)
        _follow(clock, event_type, payload, at)
    session.flush()


def _follow(clock: TicketClock, event_type: str, payload: dict[str, Any], at: datetime) -> None:
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
