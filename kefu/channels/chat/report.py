"""The live-chat report: how many chats came, how fast they were taken and answered, how long
they lasted and how shoppers rated them, this period against the one before, per agent and per
widget, every count linked to its chats. docs/metrics.md defines each number.

It is built as the analytics report document (kefu.analytics.reports.document), so the page,
the CSV and the XLSX show the same numbers through the reports' own export helpers."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.analytics.reports.document import (
    Chart,
    Column,
    Figure,
    Report,
    Section,
    Series,
    Table,
)
from kefu.analytics.reports.periods import DayRange, local_midnight_utc, previous_range, zone
from kefu.channels.chat.report_queries import (
    ChatRow,
    chat_rows,
    offline_ticket_ids,
    widget_names,
)
from kefu.errors import InvalidInput
from kefu.kit.actor import Actor
from kefu.kit.i18n import N_
from kefu.kit.i18n import gettext as _

RATINGS = (1, 2, 3, 4, 5)
# Drill-down: which chats a count is made of.
MEMBERS: dict[str, Callable[[ChatRow], bool]] = {
    "started": lambda c: True,
    "accepted": lambda c: c.accepted_at is not None,
    "missed": lambda c: c.status == "ended" and c.accepted_at is None,
    "answered": lambda c: c.first_agent_at is not None,
    "rated": lambda c: c.rating is not None,
    "transcripts": lambda c: c.transcript_sent_at is not None,
    **{f"rating_{n}": (lambda c, n=n: c.rating == n) for n in RATINGS},
}
DRILL_TITLES = {
    "started": N_("Chats started"),
    "accepted": N_("Chats accepted"),
    "missed": N_("Chats missed (ended while waiting)"),
    "answered": N_("Chats an agent answered"),
    "rated": N_("Rated chats"),
    "transcripts": N_("Transcripts sent"),
    **{f"rating_{n}": N_("Chats rated %(n)s") for n in RATINGS},
}


@dataclass(frozen=True, slots=True)
class Scope:
    """The period (local days in `time_zone`) and the narrowing filters."""

    days: DayRange
    time_zone: str
    widget_id: int | None = None
    agent_id: int | None = None

    def bounds(self, days: DayRange | None = None) -> tuple[datetime, datetime]:
        span = days or self.days
        return (
            local_midnight_utc(span.since, self.time_zone),
            local_midnight_utc(span.until + timedelta(days=1), self.time_zone),
        )

    def query(self, **extra: object) -> str:
        values: dict[str, object] = {
            "since": self.days.since.isoformat(),
            "until": self.days.until.isoformat(),
            "tz": self.time_zone,
        }
        if self.widget_id is not None:
            values["widget"] = self.widget_id
        if self.agent_id is not None:
            values["agent"] = self.agent_id
        values.update({k: v for k, v in extra.items() if v is not None})
        return urlencode(values)


def percentile(values: list[float], share: float) -> float | None:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def _seconds(start: datetime, end: datetime | None) -> float | None:
    return None if end is None else max(0.0, (end - start).total_seconds())


def _waits(rows: list[ChatRow]) -> list[float]:
    return [s for c in rows if (s := _seconds(c.started_at, c.accepted_at)) is not None]


def _durations(rows: list[ChatRow]) -> list[float]:
    return [s for c in rows if (s := _seconds(c.started_at, c.ended_at)) is not None]


def _first_responses(rows: list[ChatRow]) -> list[float]:
    return [s for c in rows if (s := _seconds(c.started_at, c.first_agent_at)) is not None]


def _mean(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@dataclass(frozen=True, slots=True)
class Numbers:
    """Every figure of one period's chats."""

    started: int
    accepted: int
    missed: int
    offline: int
    answered: int
    accept_p50: float | None
    accept_p90: float | None
    duration_p50: float | None
    duration_mean: float | None
    first_response_p50: float | None
    first_response_p90: float | None
    rated: int
    rating_mean: float | None
    ratings: dict[int, int]
    transcripts: int

    @classmethod
    def of(cls, rows: list[ChatRow], *, offline: int) -> Numbers:
        waits, durations, firsts = _waits(rows), _durations(rows), _first_responses(rows)
        rated = [c.rating for c in rows if c.rating is not None]
        return cls(
            started=len(rows),
            accepted=sum(1 for c in rows if MEMBERS["accepted"](c)),
            missed=sum(1 for c in rows if MEMBERS["missed"](c)),
            offline=offline,
            answered=len(firsts),
            accept_p50=_round(percentile(waits, 0.5)),
            accept_p90=_round(percentile(waits, 0.9)),
            duration_p50=_round(percentile(durations, 0.5)),
            duration_mean=_mean(durations),
            first_response_p50=_round(percentile(firsts, 0.5)),
            first_response_p90=_round(percentile(firsts, 0.9)),
            rated=len(rated),
            rating_mean=_mean([float(r) for r in rated]),
            ratings={n: rated.count(n) for n in RATINGS},
            transcripts=sum(1 for c in rows if c.transcript_sent_at is not None),
        )


def _rows(session: Session, scope: Scope, days: DayRange | None = None) -> list[ChatRow]:
    since, until = scope.bounds(days)
    return chat_rows(
        session, since=since, until=until, widget_id=scope.widget_id, agent_id=scope.agent_id
    )


def _offline(session: Session, scope: Scope, days: DayRange | None = None) -> list[int]:
    """Offline messages belong to a widget, not an agent: none when narrowed to an agent."""
    if scope.agent_id is not None or scope.widget_id is not None:
        return []
    since, until = scope.bounds(days)
    return offline_ticket_ids(session, since=since, until=until)


def period_numbers(session: Session, scope: Scope, days: DayRange | None = None) -> Numbers:
    return Numbers.of(_rows(session, scope, days), offline=len(_offline(session, scope, days)))


def drill_rows(session: Session, scope: Scope, metric: str) -> list[ChatRow]:
    """The chats behind a count of the report (for its drill-down page)."""
    member = MEMBERS.get(metric)
    if member is None:
        raise InvalidInput(
            _(
                "unknown figure %(metric)s; use one of %(all)s",
                metric=metric,
                all=", ".join(MEMBERS),
            )
        )
    return [c for c in _rows(session, scope) if member(c)]


def offline_drill(session: Session, scope: Scope) -> list[int]:
    return _offline(session, scope)


def _link(scope: Scope, metric: str, **extra: object) -> str:
    return f"/reports/chat/chats?{scope.query(metric=metric, **extra)}"


def _figures(scope: Scope, now: Numbers, before: Numbers) -> list[Figure]:
    def fig(
        key: str, label: str, kind: str, lower: bool = False, link: str | None = None
    ) -> Figure:
        return Figure(key, _(label), kind, getattr(now, key), getattr(before, key), link, lower)

    offline_link = f"/reports/chat/offline?{scope.query()}"
    return [
        fig("started", N_("Chats started"), "int", link=_link(scope, "started")),
        fig("accepted", N_("Chats accepted"), "int", link=_link(scope, "accepted")),
        fig("missed", N_("Missed: ended while waiting"), "int", True, _link(scope, "missed")),
        fig("offline", N_("Missed: offline messages"), "int", True, offline_link),
        fig("accept_p50", N_("Time to accept, median (seconds)"), "number", True),
        fig("accept_p90", N_("Time to accept, 90th percentile (seconds)"), "number", True),
        fig("first_response_p50", N_("First agent response, median (seconds)"), "number", True),
        fig("first_response_p90", N_("First agent response, 90th percentile (seconds)"),
            "number", True),
        fig("duration_p50", N_("Chat duration, median (seconds)"), "number"),
        fig("duration_mean", N_("Chat duration, average (seconds)"), "number"),
        fig("rating_mean", N_("Average rating (1–5)"), "number", link=_link(scope, "rated")),
        fig("rated", N_("Rated chats"), "int", link=_link(scope, "rated")),
        fig("transcripts", N_("Transcripts sent"), "int", link=_link(scope, "transcripts")),
    ]  # fmt: skip


def _breakdown_columns(first: str) -> tuple[Column, ...]:
    return (
        Column(first, "text"),
        Column(_("Chats"), "int"),
        Column(_("Accepted"), "int"),
        Column(_("Missed"), "int"),
        Column(_("Time to accept, median (s)"), "number"),
        Column(_("First response, median (s)"), "number"),
        Column(_("Duration, median (s)"), "number"),
        Column(_("Average rating"), "number"),
        Column(_("Transcripts"), "int"),
    )


def _breakdown(
    scope: Scope, key: str, title: str, first: str, groups: dict[int | None, list[ChatRow]],
    names: dict[int, str], param: str,
) -> Table:  # fmt: skip
    rows, links = [], []
    for group_id, chats in sorted(groups.items(), key=lambda item: -len(item[1])):
        n = Numbers.of(chats, offline=0)
        name = names.get(group_id, f"#{group_id}") if group_id is not None else _("Nobody")
        rows.append(
            (name, n.started, n.accepted, n.missed, n.accept_p50, n.first_response_p50,
             n.duration_p50, n.rating_mean, n.transcripts)
        )  # fmt: skip
        links.append(_link(scope, "started", **{param: group_id}) if group_id is not None else None)
    return Table(key, title, _breakdown_columns(first), tuple(rows), tuple(links))


def _daily_chart(scope: Scope, rows: list[ChatRow]) -> Chart:
    labels: list[str] = []
    started: list[int] = []
    accepted: list[int] = []
    missed: list[int] = []
    links: list[str | None] = []
    day = scope.days.since
    by_day: dict[date, list[ChatRow]] = {}
    for chat in rows:
        local = chat.started_at.astimezone(zone(scope.time_zone)).date()
        by_day.setdefault(local, []).append(chat)
    while day <= scope.days.until:
        chats = by_day.get(day, [])
        labels.append(day.isoformat())
        one_day = Scope(DayRange(day, day), scope.time_zone, scope.widget_id, scope.agent_id)
        links.append(_link(one_day, "started"))
        started.append(len(chats))
        accepted.append(sum(1 for c in chats if MEMBERS["accepted"](c)))
        missed.append(sum(1 for c in chats if MEMBERS["missed"](c)))
        day += timedelta(days=1)
    return Chart(
        "chats_by_day",
        _("Chats by day"),
        "bar",
        tuple(labels),
        (
            Series(_("Started"), tuple(started), tuple(links)),
            Series(_("Accepted"), tuple(accepted)),
            Series(_("Missed"), tuple(missed)),
        ),
    )


def chat_report(session: Session, *, scope: Scope, actor: Actor, now: datetime) -> Report:
    """The whole report for the scope (figures, chart, ratings, per agent, per widget)."""
    previous = previous_range(scope.days)
    rows = _rows(session, scope)
    numbers = Numbers.of(rows, offline=len(_offline(session, scope)))
    before = period_numbers(session, scope, previous)
    widgets = widget_names(session)
    agents = {a.id: a.name for a in accounts.list_agents(session, actor=actor)}
    by_agent: dict[int | None, list[ChatRow]] = {}
    by_widget: dict[int | None, list[ChatRow]] = {}
    for chat in rows:
        by_agent.setdefault(chat.agent_id, []).append(chat)
        by_widget.setdefault(chat.widget_id, []).append(chat)
    ratings = Table(
        "ratings",
        _("Ratings"),
        (Column(_("Rating"), "text"), Column(_("Chats"), "int"), Column(_("Share"), "percent")),
        tuple(
            (f"{'★' * n}", numbers.ratings[n],
             round(100 * numbers.ratings[n] / numbers.rated, 1) if numbers.rated else None)
            for n in RATINGS
        ),
        tuple(_link(scope, f"rating_{n}") for n in RATINGS),
    )  # fmt: skip
    section = Section(
        "chat",
        _("Live chat"),
        figures=_figures(scope, numbers, before),
        charts=[_daily_chart(scope, rows)],
        tables=[
            ratings,
            _breakdown(scope, "agents", _("Per agent"), _("Agent"), by_agent, agents, "agent"),
            _breakdown(
                scope, "widgets", _("Per widget"), _("Widget"), by_widget, widgets, "widget"
            ),
        ],
    )
    filters = []
    if scope.widget_id is not None:
        filters.append((_("Widget"), widgets.get(scope.widget_id, f"#{scope.widget_id}")))
    if scope.agent_id is not None:
        filters.append((_("Agent"), agents.get(scope.agent_id, f"#{scope.agent_id}")))
    return Report(
        title=_("Live chat report"),
        period=scope.days,
        previous=previous,
        time_zone=scope.time_zone,
        filters=filters,
        sections=[section],
        generated_at=now,
    )
