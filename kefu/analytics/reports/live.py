"""The live view's figures, read now: open tickets by status and age, waiting chats, agents
online and their load, SLA clocks breaching within the hour. Counts stop at the inbox's cap
(tickets.queries.COUNT_CAP), so the view stays cheap on a big shop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.automation.assignment import service as assignment
from kefu.kit.actor import Actor
from kefu.kit.i18n import N_
from kefu.permissions import require
from kefu.tickets import queries as ticket_queries
from kefu.tickets.filters import TicketFilter
from kefu.tickets.queries import TicketRow
from kefu.tickets.schemas import Status

LIVE_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)
# (label, youngest, oldest) in hours; None is open-ended
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    (N_("Under 4 hours"), 0, 4),
    (N_("4–24 hours"), 4, 24),
    (N_("1–3 days"), 24, 72),
    (N_("3–7 days"), 72, 168),
    (N_("Over 7 days"), 168, None),
)
BREACH_WINDOW_MINUTES = 60
CAP = ticket_queries.COUNT_CAP


@dataclass(frozen=True, slots=True)
class AgentLoad:
    agent_id: int
    name: str
    status: str
    open_tickets: int


@dataclass(frozen=True, slots=True)
class LiveFigures:
    now: datetime
    by_status: dict[str, list[tuple[int, str]]]  # status -> [(count, search link)] per bucket
    totals: dict[str, int]
    waiting_chats: int
    agents: list[AgentLoad]
    breaching: list[TicketRow]
    breaching_count: int
    breached_count: int

    @property
    def open_total(self) -> int:
        return sum(self.totals.values())


def _search(*terms: str) -> str:
    return "/search?" + urlencode({"q": " ".join(terms)})


def _bucket_count(
    session: Session, actor: Actor, status: str, now: datetime, young: int, old: int | None
) -> tuple[int, str]:
    created_before = now - timedelta(hours=young)
    created_after = now - timedelta(hours=old) if old is not None else None
    spec = TicketFilter(
        statuses=[status], created_before=created_before, created_after=created_after
    )
    terms = [f"status:{status}", f"created<{created_before.isoformat(timespec='seconds')}"]
    if created_after is not None:
        terms.append(f"created>={created_after.isoformat(timespec='seconds')}")
    count = ticket_queries.capped_count(session, actor=actor, spec=spec, cap=CAP, now=now)
    return count, _search(*terms)


def agent_loads(session: Session, *, actor: Actor) -> list[AgentLoad]:
    """Agents online or away with the open tickets they hold, busiest first."""
    agents = list(accounts.list_agents(session, actor=actor, include_inactive=False))
    statuses = assignment.statuses_of(session, [a.id for a in agents])
    present = [a for a in agents if statuses[a.id] != "offline"]
    loads = ticket_queries.open_counts(session, [a.id for a in present])
    rows = [AgentLoad(a.id, a.name, statuses[a.id], loads[a.id]) for a in present]
    return sorted(rows, key=lambda r: (r.status != "online", -r.open_tickets, r.name))


def live_figures(session: Session, *, actor: Actor, now: datetime) -> LiveFigures:
    require(actor, "reports.read")
    by_status: dict[str, list[tuple[int, str]]] = {}
    totals: dict[str, int] = {}
    for status in LIVE_STATUSES:
        cells = [
            _bucket_count(session, actor, status.value, now, young, old)
            for _label, young, old in AGE_BUCKETS
        ]
        by_status[status.value] = cells
        totals[status.value] = sum(count for count, _link in cells)
    soon = TicketFilter(statuses=list(LIVE_STATUSES), sla_due_within_minutes=BREACH_WINDOW_MINUTES)
    breaching = ticket_queries.ticket_page(
        session, actor=actor, spec=soon, sort="sla_due_asc", limit=20, now=now
    )
    breached = TicketFilter(statuses=list(LIVE_STATUSES), sla_breached=True)
    return LiveFigures(
        now=now,
        by_status=by_status,
        totals=totals,
        waiting_chats=0,  # no chat channel yet: the view shows its empty state
        agents=agent_loads(session, actor=actor),
        breaching=list(breaching.items),
        breaching_count=ticket_queries.capped_count(session, actor=actor, spec=soon, now=now),
        breached_count=ticket_queries.capped_count(session, actor=actor, spec=breached, now=now),
    )
