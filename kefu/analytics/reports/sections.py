"""Each section of a report from kefu.analytics' queries: the overview's figures and trend,
a breakdown (channel, brand, tag, type, intent, agent, team), the heat map, refunds and
returns. Durations are shown in hours, percentages as 0–100."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from kefu.analytics import queries
from kefu.analytics.filters import ReportFilter
from kefu.analytics.reports.catalog import SECTIONS
from kefu.analytics.reports.document import Chart, Column, Figure, Section, Series, Table
from kefu.analytics.reports.labels import AGE_LABELS, WEEKDAYS, Labels
from kefu.analytics.reports.periods import DayRange
from kefu.kit.i18n import N_
from kefu.kit.i18n import gettext as _
from kefu.kit.money import to_major

# (Overview field, label, kind, lower is better, drill metric or None)
OVERVIEW_FIGURES: tuple[tuple[str, str, str, bool, str | None], ...] = (
    ("created", N_("Tickets created"), "int", False, "created"),
    ("solved", N_("Tickets solved"), "int", False, "solved"),
    ("frt_median", N_("First reply time, median"), "hours", True, "frt"),
    (
        "frt_business_median",
        N_("First reply time, median (business hours)"),
        "hours",
        True,
        "first_reply",
    ),
    ("resolution_median", N_("Full resolution time, median"), "hours", True, "resolution"),
    (
        "resolution_business_median",
        N_("Full resolution time, median (business hours)"),
        "hours",
        True,
        "solved",
    ),
    ("frt_mean", N_("First reply time, mean"), "hours", True, "frt"),
    ("resolution_mean", N_("Full resolution time, mean"), "hours", True, "resolution"),
    ("requester_wait_mean", N_("Requester wait time, mean"), "hours", True, "solved"),
    ("replies_per_solved", N_("Replies per solved ticket"), "number", True, "solved"),
    ("one_touch_pct", N_("One-touch resolution"), "percent", False, "one_touch"),
    ("reopened_pct", N_("Reopened"), "percent", True, "reopened"),
    ("sla_achieved_pct", N_("SLA achieved"), "percent", False, "sla_breached"),
    ("csat_pct", N_("CSAT (good of rated)"), "percent", False, "csat_good"),
    ("nps", N_("NPS"), "number", False, None),
)
HOURS = 3600.0
TOP_ROWS = 15


class DrillLink(Protocol):
    def __call__(
        self,
        metric: str,
        *,
        bucket: Any = None,
        key: str | None = None,
        span: Any = None,
        cell: tuple[int, int] | None = None,
    ) -> str: ...


def _bucket_link(drill: DrillLink, metric: str, point: Any, grain: str, flt: ReportFilter) -> str:
    """A day's bar opens that day; a week's or month's bar opens its days within the range."""
    if grain == "day":
        return drill(metric, bucket=point.bucket)
    if grain == "week":
        last = point.bucket + timedelta(days=6)
    else:
        last = (point.bucket.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return drill(metric, span=DayRange(max(point.bucket, flt.since), min(last, flt.until)))


def _value(raw: Any, kind: str) -> Any:
    if raw is None:
        return None
    return round(raw / HOURS, 2) if kind == "hours" else raw


def grain_for(flt: ReportFilter) -> queries.Grain:
    days = (flt.until - flt.since).days + 1
    return "day" if days <= 62 else "week" if days <= 370 else "month"


def overview_section(
    session: Session,
    *,
    flt: ReportFilter,
    prev: ReportFilter,
    drill: DrillLink,
    labels: Labels,
    now: datetime,
) -> Section:
    grain = grain_for(flt)
    now_figures, before, points = queries.overview_with_trend(
        session, flt=flt, prev=prev, now=now, grain=grain
    )
    figures = [
        Figure(
            key=name,
            label=_(label),
            kind=kind,
            value=_value(getattr(now_figures, name), kind),
            previous=_value(getattr(before, name), kind),
            link=drill(metric) if metric else None,
            lower_is_better=lower,
        )
        for name, label, kind, lower, metric in OVERVIEW_FIGURES
    ]
    figures.insert(
        2,
        Figure(
            "backlog",
            _("Open tickets now"),
            "int",
            now_figures.backlog,
            None,
            drill("backlog"),
            lower_is_better=True,
        ),
    )
    days = tuple(p.bucket.isoformat() for p in points)
    created = tuple(int(p.values.get("created") or 0) for p in points)
    solved = tuple(int(p.values.get("solved") or 0) for p in points)
    trend = Chart(
        key="created_solved",
        title=_("Created and solved"),
        kind="bar",
        labels=days,
        series=(
            Series(
                _("Created"),
                created,
                tuple(_bucket_link(drill, "created", p, grain, flt) for p in points),
            ),
            Series(
                _("Solved"),
                solved,
                tuple(_bucket_link(drill, "solved", p, grain, flt) for p in points),
            ),
        ),
    )
    ages = now_figures.backlog_by_age
    age_labels = tuple(_(AGE_LABELS.get(k, k)) for k, _count in ages)
    age_links = tuple(drill("backlog") for _k, _count in ages)  # open now, any age
    backlog = Chart(
        key="backlog_age",
        title=_("Open tickets by age"),
        kind="bar",
        labels=age_labels,
        series=(Series(_("Open tickets"), tuple(c for _k, c in ages), age_links),),
    )
    period_column = {"day": _("Day"), "week": _("Week of"), "month": _("Month")}[grain]
    return Section(
        key="overview",
        title=_(SECTIONS["overview"]),
        figures=figures,
        charts=[trend, backlog],
        tables=[
            Table(
                key="created_solved",
                title=_("Created and solved"),
                columns=(Column(period_column, "text"), Column(_("Created")), Column(_("Solved"))),
                rows=tuple(zip(days, created, solved, strict=True)),
                links=trend.series[0].links,
            ),
            Table(
                key="backlog_age",
                title=_("Open tickets by age"),
                columns=(Column(_("Age"), "text"), Column(_("Open tickets"))),
                rows=tuple((label, c) for label, (_k, c) in zip(age_labels, ages, strict=True)),
                links=age_links,
            ),
        ],
    )


BREAKDOWN_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("created", N_("Created"), "int"),
    ("solved", N_("Solved"), "int"),
    ("frt_median", N_("First reply, median"), "hours"),
    ("resolution_median", N_("Resolution, median"), "hours"),
    ("replies_per_solved", N_("Replies per solved"), "number"),
    ("one_touch_pct", N_("One-touch"), "percent"),
    ("reopened_pct", N_("Reopened"), "percent"),
    ("sla_achieved_pct", N_("SLA achieved"), "percent"),
    ("csat_pct", N_("CSAT"), "percent"),
)
KEY_HEADERS = {
    "channel": N_("Channel"),
    "store": N_("Brand"),
    "tag": N_("Tag"),
    "type": N_("Type"),
    "intent": N_("Intent"),
    "agent": N_("Agent"),
    "team": N_("Team"),
}


def breakdown_section(
    session: Session, *, flt: ReportFilter, by: str, drill: DrillLink, labels: Labels
) -> Section:
    rows = queries.breakdown(session, flt=flt, by=by)
    if by in ("agent", "team"):  # a leaderboard: most solved first
        rows = sorted(rows, key=lambda r: (-r.solved, -r.created, r.key or ""))
    if by == "agent":  # every row's name in one read, not one query an agent
        labels.agents([r.key for r in rows if r.key])
    names = [labels.key(by, r.key) for r in rows]
    links = tuple(drill("created", key=f"{by}:{r.key}") if r.key else None for r in rows)
    columns = (
        Column(_(KEY_HEADERS[by]), "text"),
        *tuple(Column(_(label), kind) for _name, label, kind in BREAKDOWN_COLUMNS),
    )
    values = tuple(
        (name, *(_value(getattr(r, field), kind) for field, _label, kind in BREAKDOWN_COLUMNS))
        for name, r in zip(names, rows, strict=True)
    )
    top = rows[:TOP_ROWS]
    chart = Chart(
        key=f"by_{by}",
        title=_("Created and solved by %(what)s", what=_(KEY_HEADERS[by]).lower()),
        kind="hbar",
        labels=tuple(names[: len(top)]),
        series=(
            Series(_("Created"), tuple(r.created for r in top), links[: len(top)]),
            Series(
                _("Solved"),
                tuple(r.solved for r in top),
                tuple(drill("solved", key=f"{by}:{r.key}") if r.key else None for r in top),
            ),
        ),
    )
    note = None
    if by == "intent":
        note = _("Intent is filled in by kefu's AI; tickets it has not read yet count as “None”.")
    return Section(
        key=by,
        title=_(SECTIONS[by]),
        charts=[chart] if rows else [],
        tables=[Table(f"by_{by}", _(SECTIONS[by]), columns, values, links)],
        note=note,
    )


def heatmap_section(
    session: Session, *, flt: ReportFilter, labels: Labels, drill: DrillLink | None = None
) -> Section:
    grid = queries.heatmap(session, flt=flt)
    columns = (Column(_("Weekday"), "text"), *tuple(Column(f"{h:02d}") for h in range(24)))
    rows = tuple((_(WEEKDAYS[d]), *grid[d]) for d in range(7))
    cells: tuple[tuple[str | None, ...], ...] = ()
    if drill is not None:  # each cell opens the tickets created in it
        cells = tuple(
            (None, *(drill("created", cell=(d, h)) if grid[d][h] else None for h in range(24)))
            for d in range(7)
        )
    table = Table(
        "heatmap", _("Tickets created by weekday and hour"), columns, rows, cell_links=cells
    )
    return Section(
        key="heatmap",
        title=_(SECTIONS["heatmap"]),
        tables=[table],
        note=_("Hours in %(zone)s.", zone=flt.time_zone),
    )


def _returns_link(flt: ReportFilter) -> str:
    """The returns dashboard (kefu.commerce) over the same days and store."""
    query = {"start": flt.since.isoformat(), "end": flt.until.isoformat()}
    if flt.store_id is not None:
        query["store"] = str(flt.store_id)
    return "/reports/returns?" + urlencode(query)


def commerce_section(
    session: Session, *, flt: ReportFilter, prev: ReportFilter, drill: DrillLink, labels: Labels
) -> Section:
    now_figures = queries.commerce_figures(session, flt=flt)
    before = queries.commerce_figures(session, flt=prev)
    # (field, label, kind, lower is better, the drill-down or None: orders, refunds, returns
    # and reviews are not tickets — the returns dashboard lists the returns)
    specs: tuple[tuple[str, str, str, bool, str | None], ...] = (
        ("orders", N_("Orders placed"), "int", False, None),
        ("refunds", N_("Refunds"), "int", True, None),
        ("refund_rate_pct", N_("Refund rate"), "percent", True, None),
        ("returns", N_("Returns"), "int", True, _returns_link(flt)),
        ("return_rate_pct", N_("Return rate"), "percent", True, None),
        ("presale_conversations", N_("Pre-sale conversations"), "int", False, drill("presale")),
        (
            "presale_conversion_pct",
            N_("Pre-sale conversion"),
            "percent",
            False,
            drill("presale_converted"),
        ),
        ("positive_review_pct", N_("Positive reviews"), "percent", False, None),
        ("negative_review_pct", N_("Negative reviews"), "percent", True, None),
        (
            "business_response_mean",
            N_("Response time in business hours, mean"),
            "hours",
            True,
            drill("frt"),
        ),
    )
    figures = [
        Figure(
            key=name,
            label=_(label),
            kind=kind,
            value=_value(getattr(now_figures, name), kind),
            previous=_value(getattr(before, name), kind),
            link=link,
            lower_is_better=lower,
        )
        for name, label, kind, lower, link in specs
    ]
    amounts = tuple(
        (currency, float(to_major(minor, currency)))
        for currency, minor in sorted(now_figures.refund_amounts.items())
    )
    reasons = tuple((r.reason or _("No reason"), r.count) for r in now_figures.return_reasons)
    charts = []
    if reasons:
        charts.append(
            Chart(
                key="return_reasons",
                title=_("Return reasons"),
                kind="hbar",
                labels=tuple(r for r, _c in reasons),
                series=(Series(_("Returns"), tuple(c for _r, c in reasons)),),
            )
        )
    return Section(
        key="commerce",
        title=_(SECTIONS["commerce"]),
        figures=figures,
        charts=charts,
        tables=[
            Table(
                "refund_amounts",
                _("Refunded amounts"),
                (Column(_("Currency"), "text"), Column(_("Refunded"), "money")),
                amounts,
            ),
            Table(
                "return_reasons",
                _("Return reasons"),
                (Column(_("Reason"), "text"), Column(_("Returns"))),
                reasons,
            ),
        ],
        note=_(
            "Pre-sale conversations: tickets of type “question” or tagged “pre-sale”, "
            "followed by an order within %(days)s days.",
            days=now_figures.presale_days,
        ),
    )
