"""The analytics read side dashboards, exports and scheduled reports use: dataclasses out
(kefu.analytics.results), never ORM objects. Figures come from the hourly rollups (see
kefu.analytics.sources); definitions in docs/metrics.md."""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from kefu.analytics import sources, spans
from kefu.analytics.commerce import commerce_figures
from kefu.analytics.drill import drilldown
from kefu.analytics.figures import FIGURES, columns_for, figure
from kefu.analytics.filters import ReportFilter
from kefu.analytics.models import SUMS
from kefu.analytics.results import (
    AGE_BUCKETS,
    BreakdownRow,
    CommerceFigures,
    Overview,
    Point,
    TicketPage,
)
from kefu.errors import InvalidInput
from kefu.feedback import reports as feedback_reports
from kefu.kit.clock import utcnow
from kefu.kit.i18n import gettext as _

__all__ = [
    "BREAKDOWNS",
    "FIGURES",
    "BreakdownRow",
    "CommerceFigures",
    "Overview",
    "Point",
    "ReportFilter",
    "TicketPage",
    "breakdown",
    "commerce_figures",
    "drilldown",
    "heatmap",
    "overview",
    "overview_with_trend",
    "series",
]

BREAKDOWNS = ("channel", "store", "tag", "type", "intent", "team", "agent", "priority")
Grain = Literal["day", "week", "month"]
_OVERVIEW_FIGURES = [name for name in FIGURES if name not in ("created", "solved")]


def _overview_columns() -> list[str]:
    columns = list(SUMS) + columns_for(["frt_median", "frt_business_median"])
    return columns + columns_for(["resolution_median", "resolution_business_median"])


def overview(
    session: Session, *, flt: ReportFilter, now: datetime | None = None, backlog: bool = True
) -> Overview:
    """Every headline figure of the range (and the backlog now; with `backlog=False` — a
    previous period's figures, where "open now" means nothing — left at 0 unread)."""
    sums = sources.summed(session, flt, _overview_columns()).get(None, {})
    return _overview_of(session, flt, sums, now if backlog else None, backlog=backlog)


def _overview_of(
    session: Session,
    flt: ReportFilter,
    sums: dict[str, int],
    now: datetime | None,
    *,
    backlog: bool,
) -> Overview:
    edges = [low for _key, low, _high in AGE_BUCKETS]
    ages = [0] * len(edges)
    if backlog:
        ages = sources.open_ages(session, flt, now or utcnow(), edges)
    start, end = flt.bounds()
    nps = feedback_reports.nps_figures(session, since=start, until=end)
    values = {name: figure(name, sums) for name in _OVERVIEW_FIGURES}
    return Overview(
        created=sums.get("created", 0),
        solved=sums.get("solved", 0),
        backlog=sum(ages),
        backlog_by_age=[
            (key, count) for (key, _l, _h), count in zip(AGE_BUCKETS, ages, strict=True)
        ],
        sla_achieved=sums.get("sla_achieved", 0),
        sla_breached=sums.get("sla_breached", 0),
        csat_good=sums.get("csat_good", 0),
        csat_bad=sums.get("csat_bad", 0),
        nps=nps.get("nps"),
        nps_responses=nps.get("answered", 0),
        **values,  # type: ignore[arg-type]
    )


def _bucket_of(day: date, grain: Grain) -> date:
    if grain == "week":
        return day - timedelta(days=day.weekday())
    if grain == "month":
        return day.replace(day=1)
    return day


def series(
    session: Session, *, flt: ReportFilter, metrics: list[str], grain: Grain = "day"
) -> list[Point]:
    """Each metric per day, week (from Monday) or month of the range, every bucket present."""
    unknown = [m for m in metrics if m not in FIGURES]
    if unknown or grain not in ("day", "week", "month"):
        raise InvalidInput(_("unknown metric or grain: %(what)s", what=", ".join(unknown) or grain))
    columns = columns_for(metrics)
    by_hour = sources.summed(session, flt, columns, group="hour")
    zone = ZoneInfo(flt.time_zone)
    buckets: dict[date, dict[str, int]] = {}
    starts: list[int] = []  # the first hour of each local day (read as the rollups are)
    days: list[date] = []
    day = flt.since
    while day <= flt.until:
        buckets.setdefault(_bucket_of(day, grain), defaultdict(int))
        midnight = datetime.combine(day, time.min, tzinfo=zone)
        starts.append(int(midnight.timestamp()) // 3600)
        days.append(day)
        day += timedelta(days=1)
    for hour, sums in by_hour.items():
        index = bisect_right(starts, hour) - 1
        if index < 0:
            continue
        target = buckets[_bucket_of(days[index], grain)]
        for column, value in sums.items():
            target[column] += value
    return [
        Point(bucket=key, values={m: figure(m, sums) for m in metrics})
        for key, sums in sorted(buckets.items())
    ]


def _bucket_starts(flt: ReportFilter, grain: Grain) -> list[tuple[date, int]]:
    """Each bucket of the range with the hour it starts (its first day's local midnight,
    read as `series` reads the rollups)."""
    zone = ZoneInfo(flt.time_zone)
    found: list[tuple[date, int]] = []
    day = flt.since
    while day <= flt.until:
        key = _bucket_of(day, grain)
        if not found or found[-1][0] != key:
            midnight = datetime.combine(day, time.min, tzinfo=zone)
            found.append((key, int(midnight.timestamp()) // 3600))
        day += timedelta(days=1)
    return found


def overview_with_trend(
    session: Session,
    *,
    flt: ReportFilter,
    prev: ReportFilter,
    now: datetime | None = None,
    grain: Grain = "day",
) -> tuple[Overview, Overview, list[Point]]:
    """What the overview page shows: `overview` of the range, `overview` of `prev` (no
    backlog) and the `series` of created and solved per `grain` — the same figures, read in
    one pass over both periods (each source grouped by span: the previous period, then each
    bucket of the range; kefu.analytics.spans)."""
    if grain not in ("day", "week", "month"):
        raise InvalidInput(_("unknown metric or grain: %(what)s", what=grain))
    ph0, ph1 = sources.hour_range(prev)
    h0, h1 = sources.hour_range(flt)
    buckets = _bucket_starts(flt, grain)
    if prev.narrowing() != flt.narrowing() or ph1 > h0 or ph0 >= ph1:
        metrics = ["created", "solved"]
        return (
            overview(session, flt=flt, now=now),
            overview(session, flt=prev, now=now, backlog=False),
            series(session, flt=flt, metrics=metrics, grain=grain),
        )
    bounds = [ph0, *([ph1] if ph1 < h0 else []), *(hour for _key, hour in buckets), h1]
    first = len(bounds) - 1 - len(buckets)  # the first bucket's span
    columns = _overview_columns()
    by_span = sources.summed(session, flt, columns, group="span", bounds=bounds)
    this = spans.merged(by_span, range(first, len(bounds) - 1), columns)
    before = spans.merged(by_span, [0], columns)
    points = []
    for index, (key, _hour) in enumerate(buckets):
        sums = by_span.get(first + index, {})
        values = {m: figure(m, sums) for m in ("created", "solved")}
        points.append(Point(bucket=key, values=values))
    return (
        _overview_of(session, flt, this, now, backlog=True),
        _overview_of(session, prev, before, None, backlog=False),
        points,
    )


def breakdown(session: Session, *, flt: ReportFilter, by: str) -> list[BreakdownRow]:
    """The range's figures per channel, store, tag, type, intent, team or agent (the
    leaderboard), most created first."""
    if by not in BREAKDOWNS:
        raise InvalidInput(_("cannot break down by %(by)s", by=by))
    wanted = [
        "frt_mean",
        "frt_median",
        "resolution_mean",
        "resolution_median",
        "replies_per_solved",
        "one_touch_pct",
        "reopened_pct",
        "sla_achieved_pct",
        "csat_pct",
    ]
    columns = ["created", "solved", "csat_good", "csat_bad", *columns_for(wanted)]
    grouped = sources.summed(session, flt, columns, group="key", by=by)
    rows = [
        BreakdownRow(
            key=str(key),
            created=sums.get("created", 0),
            solved=sums.get("solved", 0),
            csat_good=sums.get("csat_good", 0),
            csat_bad=sums.get("csat_bad", 0),
            **{name: figure(name, sums) for name in wanted},  # type: ignore[arg-type]
        )
        for key, sums in grouped.items()
        if any(sums.values())
    ]
    return sorted(rows, key=lambda r: (-r.created, -r.solved, r.key))


def heatmap(session: Session, *, flt: ReportFilter) -> list[list[int]]:
    """Tickets created per weekday (Monday first) × hour of day, in the filter's zone."""
    grid = [[0] * 24 for _day in range(7)]
    zone = ZoneInfo(flt.time_zone)
    for hour, sums in sources.summed(session, flt, ["created"], group="hour").items():
        local = datetime.fromtimestamp(hour * 3600, tz=UTC).astimezone(zone)
        grid[local.weekday()][local.hour] += sums.get("created", 0)
    return grid
