"""The tickets behind a number: the per-ticket metrics rows a figure counted, a page at a
time, newest first."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, false, func, or_, select, true
from sqlalchemy.orm import Session

from kefu.analytics import commerce, sources
from kefu.analytics.filters import ReportFilter
from kefu.analytics.models import TicketMetrics as M
from kefu.analytics.results import DrillRow, TicketPage
from kefu.commerce import analytics_reads
from kefu.errors import InvalidInput
from kefu.kit.i18n import gettext as _
from kefu.tickets import queries as ticket_queries

PER_PAGE = 50
DONE = ("solved", "closed")

# metric -> (the moment it is counted at, extra conditions)
DRILLS: dict[str, tuple[Any, list[Any]]] = {
    "created": (M.created_at, []),
    "solved": (M.solved_at, [M.status.in_(DONE)]),
    "resolution": (M.solved_at, [M.status.in_(DONE)]),
    "frt": (M.first_reply_at, [M.first_reply_seconds.is_not(None)]),
    "one_touch": (M.solved_at, [M.status.in_(DONE), M.one_touch.is_(True)]),
    "first_contact": (M.solved_at, [M.status.in_(DONE), M.first_contact.is_(True)]),
    "reopened": (M.solved_at, [M.status.in_(DONE), M.reopens > 0]),
    "sla_achieved": (M.solved_at, [M.status.in_(DONE), M.sla_achieved > 0]),
    "sla_breached": (M.solved_at, [M.status.in_(DONE), M.sla_breached > 0]),
    "csat_good": (M.csat_at, [M.csat == "good"]),
    "csat_bad": (M.csat_at, [M.csat == "bad"]),
    "backlog": (None, [M.is_open == true()]),
    # the commerce dashboard's pre-sale conversations (conditions added in `_extra`)
    "presale": (M.created_at, []),
    "presale_converted": (M.created_at, []),
}


def _extra(session: Session, metric: str) -> list[Any]:
    """Conditions of the drills that need the database's dialect or another domain."""
    if metric not in ("presale", "presale_converted"):
        return []
    found = [M.requester_id.is_not(None), commerce.presale_condition(session)]
    if metric == "presale_converted":
        days = commerce.PRESALE_DAYS
        found.append(
            analytics_reads.ordered_after(session, M.requester_id, M.created_at, days=days)
        )
    return found


def cell_ranges(flt: ReportFilter, weekday: int, hour: int) -> list[tuple[datetime, datetime]]:
    """The UTC hours of the range that fall on `weekday` (0 = Monday) at `hour` in the
    filter's zone — the heat map's cell, counted as kefu.analytics.queries.heatmap counts —
    as [start, end) ranges (consecutive hours joined)."""
    zone = ZoneInfo(flt.time_zone)
    h0, h1 = sources.hour_range(flt)
    found: list[tuple[datetime, datetime]] = []
    for h in range(h0, h1):
        start = datetime.fromtimestamp(h * 3600, tz=UTC)
        local = start.astimezone(zone)
        if local.weekday() != weekday or local.hour != hour:
            continue
        if found and found[-1][1] == start:
            found[-1] = (found[-1][0], start + timedelta(hours=1))
        else:
            found.append((start, start + timedelta(hours=1)))
    return found


def drilldown(
    session: Session,
    *,
    flt: ReportFilter,
    metric: str,
    bucket: date | None = None,
    key: str | None = None,
    page: int = 1,
    by: str | None = None,
    cell: tuple[int, int] | None = None,
) -> TicketPage:
    """The tickets a figure counted: `metric` one of DRILLS, narrowed to one day `bucket`
    (in the filter's zone) and to `key`, a value of dimension `by` (a breakdown's row; "by"
    may also come as "dim:value" in key); `cell` (weekday, hour) a heat map's cell, for
    "created"."""
    if metric not in DRILLS:
        raise InvalidInput(_("no ticket list for %(metric)s", metric=metric))
    if page < 1:
        raise InvalidInput(_("pages start at 1"))
    if key is not None and by is None and ":" in key:
        by, key = key.split(":", 1)
    narrowing = flt.narrowing()
    if key is not None:
        if by is None or by not in (
            "store",
            "channel",
            "team",
            "agent",
            "tag",
            "type",
            "intent",
            "priority",
        ):
            raise InvalidInput(_("say which breakdown the key belongs to"))
        narrowing = [*narrowing, (by, key)]
    if bucket is not None:
        flt = type(flt)(**{**_fields(flt), "since": bucket, "until": bucket})
    moment, extra = DRILLS[metric]
    where = [*sources.metric_conditions(session, narrowing), *extra, *_extra(session, metric)]
    if cell is not None:
        weekday, hour = cell
        if metric != "created" or not (0 <= weekday < 7 and 0 <= hour < 24):
            raise InvalidInput(_("a heat map cell is a weekday 0–6 and an hour 0–23 of created"))
        ranges = cell_ranges(flt, weekday, hour)
        where.append(or_(false(), *[and_(M.created_at >= a, M.created_at < b) for a, b in ranges]))
    order: Any = M.created_at
    if moment is not None:
        start, end = flt.bounds()
        where += [moment >= start, moment < end]
        order = moment
    total = session.scalar(select(func.count()).select_from(M).where(*where)) or 0
    rows = session.scalars(
        select(M)
        .where(*where)
        .order_by(order.desc(), M.ticket_id.desc())
        .limit(PER_PAGE)
        .offset((page - 1) * PER_PAGE)
    ).all()
    subjects = {
        r.ticket.id: r.ticket.subject
        for r in ticket_queries.ticket_rows(session, [m.ticket_id for m in rows])
    }
    items = [
        DrillRow(
            ticket_id=m.ticket_id,
            subject=subjects.get(m.ticket_id, ""),
            status=m.status,
            channel=m.channel,
            team_id=m.team_id,
            assignee_id=m.assignee_id,
            created_at=m.created_at,
            solved_at=m.solved_at,
            first_reply_seconds=m.first_reply_seconds,
            resolution_seconds=m.resolution_seconds,
            replies=m.replies,
            reopens=m.reopens,
            csat=m.csat,
        )
        for m in rows
    ]
    return TicketPage(
        items=items,
        page=page,
        pages=max(1, math.ceil(total / PER_PAGE)),
        total=total,
        per_page=PER_PAGE,
        metric=metric,
    )


def _fields(flt: ReportFilter) -> dict[str, Any]:
    return {name: getattr(flt, name) for name in flt.__dataclass_fields__}
