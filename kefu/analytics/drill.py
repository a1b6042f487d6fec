"""The tickets behind a number: the per-ticket metrics rows a figure counted, a page at a
time, newest first."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from kefu.analytics import sources
from kefu.analytics.filters import ReportFilter
from kefu.analytics.models import TicketMetrics as M
from kefu.analytics.results import DrillRow, TicketPage
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
}


def drilldown(
    session: Session,
    *,
    flt: ReportFilter,
    metric: str,
    bucket: date | None = None,
    key: str | None = None,
    page: int = 1,
    by: str | None = None,
) -> TicketPage:
    """The tickets a figure counted: `metric` one of DRILLS, narrowed to one day `bucket`
    (in the filter's zone) and to `key`, a value of dimension `by` (a breakdown's row; "by"
    may also come as "dim:value" in key)."""
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
    where = [*sources.metric_conditions(session, narrowing), *extra]
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
