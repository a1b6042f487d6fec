"""How agents used the suggestions shown in a period, per source: shown → inserted into the
composer → sent (the sent reply kept at least KEPT of it: "as suggested" or "edited"), by
week, and the tickets behind each figure."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from kefu.ai.suggest.models import SuggestionShown
from kefu.errors import InvalidInput
from kefu.kit.i18n import N_

SOURCES = {
    "reply": N_("Answers in solved conversations"),
    "macro": N_("Macros"),
    "article": N_("Knowledge-base articles"),
}
STAGES = ("shown", "inserted", "sent")
SENT = ("as_suggested", "edited")
MAX_TICKETS = 200


@dataclass(slots=True)
class Funnel:
    shown: int = 0
    inserted: int = 0
    sent: int = 0
    as_suggested: int = 0

    @property
    def insert_rate(self) -> float | None:
        return self.inserted / self.shown if self.shown else None

    @property
    def acceptance_rate(self) -> float | None:
        """Sent (as suggested or edited) ÷ shown."""
        return self.sent / self.shown if self.shown else None


@dataclass(slots=True)
class Week:
    start: datetime
    by_source: dict[str, Funnel] = field(default_factory=dict)


@dataclass(slots=True)
class SuggestionReport:
    by_source: dict[str, Funnel]
    weeks: list[Week]

    @property
    def total(self) -> Funnel:
        total = Funnel()
        for funnel in self.by_source.values():
            total.shown += funnel.shown
            total.inserted += funnel.inserted
            total.sent += funnel.sent
            total.as_suggested += funnel.as_suggested
        return total


def _funnels(session: Session, since: datetime, until: datetime) -> dict[str, Funnel]:
    row = SuggestionShown
    statement = (
        select(
            row.source,
            func.count(row.id),
            func.count(row.inserted_at),
            func.sum(case((row.outcome.in_(SENT), 1), else_=0)),
            func.sum(case((row.outcome == "as_suggested", 1), else_=0)),
        )
        .where(row.shown_at >= since, row.shown_at < until)
        .group_by(row.source)
    )
    found = {source: Funnel() for source in SOURCES}
    for source, shown, inserted, sent, kept in session.execute(statement):
        if source in found:
            found[source] = Funnel(int(shown), int(inserted), int(sent or 0), int(kept or 0))
    return found


def suggestion_report(session: Session, *, since: datetime, until: datetime) -> SuggestionReport:
    """Per source for the whole period, and per week (weeks start at `since`)."""
    weeks = []
    start = since
    while start < until:
        end = min(start + timedelta(days=7), until)
        weeks.append(Week(start, _funnels(session, start, end)))
        start = end
    return SuggestionReport(_funnels(session, since, until), weeks)


def tickets_for(
    session: Session, *, since: datetime, until: datetime, source: str, stage: str
) -> list[tuple[int, int]]:
    """(ticket id, how many suggestions) behind one figure of the report, most first."""
    if source not in SOURCES or stage not in STAGES:
        raise InvalidInput(f"unknown source or stage: {source!r} {stage!r}")
    row = SuggestionShown
    where = [row.shown_at >= since, row.shown_at < until, row.source == source]
    if stage == "inserted":
        where.append(row.inserted_at.is_not(None))
    elif stage == "sent":
        where.append(row.outcome.in_(SENT))
    statement = (
        select(row.ticket_id, func.count(row.id))
        .where(*where)
        .group_by(row.ticket_id)
        .order_by(func.count(row.id).desc(), row.ticket_id.desc())
        .limit(MAX_TICKETS)
    )
    return [(int(t), int(n)) for t, n in session.execute(statement)]
