"""One ticket's metrics from its event history (pure: no database). Every figure is
computed from the events in the order they happened (created_at, then id), so an event
handled late or twice gives the same row. Definitions in docs/metrics.md."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from kefu.kit.clock import as_utc

DONE = ("solved", "closed")
WORK = ("new", "open")
# an agent's reply this soon after the ticket was opened, before the customer wrote, is
# the message that opened it (an outbound ticket): it is not a first reply
OUTBOUND_GRACE = timedelta(seconds=60)
HISTORY_TYPES = (
    "ticket.created",
    "ticket.updated",
    "message.added",
    "ticket.deleted",
    "ticket.restored",
    "ticket.merged",
    "csat.received",
    "sla.breached",
)


class Calendar(Protocol):
    def business_seconds_between(self, a: datetime, b: datetime) -> int: ...


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    id: int
    type: str
    payload: dict[str, Any]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class TicketNow:
    """What the ticket is now (its dimensions), from the tickets domain."""

    id: int
    status: str
    channel: str
    store_id: int | None
    team_id: int | None
    assignee_id: int | None
    requester_id: int | None
    type: str | None
    priority: str
    tags: tuple[str, ...]
    created_at: datetime
    is_gone: bool


class _Span:
    """Seconds, calendar and business."""

    def __init__(self, calendar: Calendar) -> None:
        self.calendar = calendar

    def __call__(self, a: datetime, b: datetime) -> tuple[int, int]:
        if b <= a:
            return 0, 0
        return int((b - a).total_seconds()), self.calendar.business_seconds_between(a, b)


def compute(
    ticket: TicketNow,
    events: list[HistoryEvent],
    calendar: Calendar,
    fulfilled: set[str] | frozenset[str] = frozenset(),
) -> dict[str, Any]:
    """The metrics row's values (every column but ticket_id and computed_at)."""
    span = _Span(calendar)
    history = sorted(events, key=lambda e: (as_utc(e.created_at), e.id))
    opened = next((e for e in history if e.type == "ticket.created"), None)
    created_at = as_utc(opened.created_at if opened else ticket.created_at)
    first = (opened.payload if opened else {}) or {}
    status = str(first.get("status") or "new")
    assignee, team = first.get("assignee_id"), first.get("team_id")
    in_status: dict[str, list[int]] = {}
    last = created_at
    waiting: datetime | None = created_at
    saw_customer = False
    first_reply_at: datetime | None = None
    frt: tuple[int, int] | None = None
    next_replies: list[list[int]] = []
    replies = customer_messages = after_first = reopens = 0
    assignee_hops = team_hops = 0
    solved_at: datetime | None = created_at if status in DONE else None
    csat: str | None = None
    csat_at: datetime | None = None
    breached: set[str] = set()

    def advance(to: datetime) -> None:
        nonlocal last
        if to > last:
            cal, bus = span(last, to)
            total = in_status.setdefault(status, [0, 0])
            total[0] += cal
            total[1] += bus
            last = to

    for event in history:
        at = max(as_utc(event.created_at), created_at)
        payload = event.payload or {}
        advance(at)
        if event.type == "message.added":
            if payload.get("kind") != "reply":
                continue
            author = payload.get("author_type")
            if author == "customer":
                customer_messages += 1
                saw_customer = True
                after_first += first_reply_at is not None
                if waiting is None:
                    waiting = at
            elif author == "agent":
                replies += 1
                if waiting is None:
                    continue
                if first_reply_at is None:
                    if not saw_customer and at - created_at <= OUTBOUND_GRACE:
                        waiting = None  # the agent opened the conversation
                        continue
                    frt, first_reply_at = span(waiting, at), at
                else:
                    next_replies.append(list(span(waiting, at)))
                waiting = None
        elif event.type == "ticket.updated":
            changes = payload.get("changes") or {}
            if "status" in changes:
                before, after = changes["status"]
                if before in DONE and after not in DONE:
                    reopens += 1
                if after == "solved" or (after == "closed" and before not in DONE):
                    solved_at = at
                status = str(after)
            if "assignee_id" in changes:
                new = changes["assignee_id"][1]
                if new is not None:
                    assignee_hops += assignee is not None and new != assignee
                    assignee = new
            if "team_id" in changes:
                new = changes["team_id"][1]
                if new is not None:
                    team_hops += team is not None and new != team
                    team = new
        elif event.type == "csat.received":
            csat, csat_at = str(payload.get("rating") or "") or None, at
        elif event.type == "sla.breached" and payload.get("metric"):
            breached.add(str(payload["metric"]))

    done = ticket.status in DONE
    resolution = span(created_at, solved_at) if done and solved_at else None

    def spent(*statuses: str) -> tuple[int, int]:
        parts = [in_status.get(s, [0, 0]) for s in statuses]
        return sum(p[0] for p in parts), sum(p[1] for p in parts)

    wait, hold = spent("new", "open", "on_hold"), spent("on_hold")
    agent_wait, work = spent("pending"), spent(*WORK)
    sla = dict.fromkeys(breached, "breached")
    sla.update({m: "achieved" for m in sorted(fulfilled) if m not in breached})
    return {
        "status": ticket.status,
        "is_open": not done and not ticket.is_gone,
        "is_gone": ticket.is_gone,
        "channel": ticket.channel,
        "store_id": ticket.store_id,
        "team_id": ticket.team_id,
        "assignee_id": ticket.assignee_id,
        "requester_id": ticket.requester_id,
        "type": ticket.type,
        "priority": ticket.priority,
        "tags": sorted(ticket.tags),
        "created_at": created_at,
        "first_reply_at": first_reply_at,
        "solved_at": solved_at if done else None,
        "csat_at": csat_at if csat else None,
        "first_reply_seconds": frt[0] if frt else None,
        "first_reply_business": frt[1] if frt else None,
        "next_reply_count": len(next_replies),
        "next_reply_seconds": sum(n[0] for n in next_replies),
        "next_reply_business": sum(n[1] for n in next_replies),
        "next_replies": next_replies,
        "resolution_seconds": resolution[0] if resolution else None,
        "resolution_business": resolution[1] if resolution else None,
        "requester_wait_seconds": wait[0],
        "requester_wait_business": wait[1],
        "on_hold_seconds": hold[0],
        "on_hold_business": hold[1],
        "agent_wait_seconds": agent_wait[0],
        "agent_wait_business": agent_wait[1],
        "agent_work_seconds": work[0],
        "agent_work_business": work[1],
        "replies": replies,
        "customer_messages": customer_messages,
        "reopens": reopens,
        "assignee_hops": assignee_hops,
        "team_hops": team_hops,
        "one_touch": done and replies == 1,
        "first_contact": done and replies == 1 and reopens == 0 and after_first == 0,
        "sla": sla,
        "sla_achieved": sum(1 for v in sla.values() if v == "achieved"),
        "sla_breached": len(breached),
        "csat": csat,
        "last_event_id": max((e.id for e in history), default=0),
    }
