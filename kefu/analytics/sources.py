"""Where the queries read summed measures: the hourly rollups when the filter names at most
one dimension (a few hundred rows a month), else the per-ticket metrics of the range summed
the same way by the database (kefu.analytics.exact)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    exists,
    func,
    literal,
    literal_column,
    select,
    text,
    true,
)
from sqlalchemy.orm import Session

from kefu.analytics import exact, rollup, spans
from kefu.analytics.filters import ReportFilter
from kefu.analytics.models import TicketMetrics, rollups

Grouped = dict[Any, dict[str, int]]

_METRIC_COLUMNS = {
    "store": TicketMetrics.store_id,
    "channel": TicketMetrics.channel,
    "team": TicketMetrics.team_id,
    "agent": TicketMetrics.assignee_id,
    "type": TicketMetrics.type,
    "intent": TicketMetrics.intent,
    "priority": TicketMetrics.priority,
}


def distinct_keys(session: Session, dim: str) -> list[str]:
    """A dimension's values in the rollups, one index probe each (a loose index scan: the
    rows of a dimension run to hundreds of thousands, its values to a few hundred)."""
    statement = text(
        "WITH RECURSIVE k(key) AS ("
        " SELECT min(key) FROM analytics_rollups WHERE dim = :dim"
        " UNION ALL"
        " SELECT (SELECT min(key) FROM analytics_rollups WHERE dim = :dim AND key > k.key)"
        " FROM k WHERE k.key IS NOT NULL)"
        " SELECT key FROM k WHERE key IS NOT NULL"
    )
    return [str(key) for key in session.scalars(statement, {"dim": dim})]


def hour_range(flt: ReportFilter) -> tuple[int, int]:
    """[first, after) hours of the range (a zone whose offset is not whole hours is read
    to the hour: its days start up to 45 minutes early)."""
    start, end = flt.bounds()
    return rollup.hour_of(start), rollup.hour_of(end)


def has_tag(session: Session, tag: str) -> ColumnElement[bool]:
    if session.get_bind().dialect.name == "postgresql":
        return TicketMetrics.tags.op("@>")(func.jsonb_build_array(literal(tag)))  # type: ignore[no-any-return]
    each = func.json_each(TicketMetrics.tags).table_valued("value")
    return exists(select(literal(1)).select_from(each).where(each.c.value == tag))


def metric_conditions(
    session: Session, narrowing: list[tuple[str, str]], *, no_index: bool = False
) -> list[Any]:
    """The conditions of the filters; with `no_index`, written so SQLite's planner uses no
    index of theirs (its unary "+"), e.g. to keep it on the open tickets' partial index
    rather than a team's or agent's (which it prefers, though it reads far more rows)."""
    conditions: list[Any] = [TicketMetrics.is_gone.is_(False)]
    unary = no_index and session.get_bind().dialect.name == "sqlite"
    for dim, key in narrowing:
        if dim == "tag":
            conditions.append(has_tag(session, key))
            continue
        column: Any = _METRIC_COLUMNS[dim]
        if unary:
            column = literal_column(f"+{TicketMetrics.__tablename__}.{column.key}")
        is_number = dim in ("store", "team", "agent")
        conditions.append(column == (int(key) if is_number else key))
    return conditions


def uses_rollups(flt: ReportFilter, by: str | None = None) -> bool:
    narrowing = flt.narrowing()
    return not narrowing if by else len(narrowing) <= 1


def _rollup_where(dim: str, key: str | None, h0: int, h1: int) -> list[Any]:
    where = [rollups.c.dim == dim, rollups.c.hour >= h0, rollups.c.hour < h1]
    if key is not None:
        where.append(rollups.c.key == key)
    return where


def _from_metrics(
    session: Session,
    flt: ReportFilter,
    columns: list[str],
    group: str,
    by: str | None,
    bounds: list[int] | None,
) -> Grouped:
    h0, h1 = (bounds[0], bounds[-1]) if bounds else hour_range(flt)
    conditions = metric_conditions(session, flt.narrowing())
    unindexed = metric_conditions(session, flt.narrowing(), no_index=True)
    return exact.summed(session, conditions, h0, h1, columns, group, by, bounds, unindexed)


def summed(
    session: Session,
    flt: ReportFilter,
    columns: list[str],
    *,
    group: str = "",
    by: str = "",
    bounds: list[int] | None = None,
) -> Grouped:
    """Summed measures: {None: sums} with no group, {hour: sums} for group "hour", {key:
    sums} for group "key" (the values of dimension `by`), {span index: sums} for group
    "span" (the hours [bounds[i], bounds[i + 1]), in place of the filter's range: see
    kefu.analytics.spans)."""
    if group == "span":
        if by or not bounds:
            raise ValueError("group 'span' takes bounds and no breakdown")
        spans.check_bounds(bounds)
    if not uses_rollups(flt, by or None):
        return _from_metrics(session, flt, columns, group, by or None, bounds)
    h0, h1 = (bounds[0], bounds[-1]) if bounds else hour_range(flt)
    if by:
        dim, key = by, None
    else:
        dim, key = (flt.narrowing() or [("all", "")])[0]
    sums = [func.coalesce(func.sum(rollups.c[c]), 0).label(c) for c in columns]
    where = _rollup_where(dim, key, h0, h1)
    if by:  # each value's hours as its own range of the primary key
        keys = distinct_keys(session, by)
        if not keys:
            return {}
        where.append(rollups.c.key.in_(keys))
    grouped: Grouped = {}
    if group:
        column = {"hour": rollups.c.hour, "key": rollups.c.key}.get(group)
        if group == "span":
            column = spans.span_of(rollups.c.hour, bounds or [])
        statement = select(column, *sums).where(*where).group_by(column)
        for row in session.execute(statement):
            grouped[row[0]] = {c: int(row[i + 1]) for i, c in enumerate(columns)}
    else:
        row = session.execute(select(*sums).where(*where)).one()
        grouped[None] = {c: int(row[i]) for i, c in enumerate(columns)}
    return grouped


def open_ages(session: Session, flt: ReportFilter, now: datetime, edges: list[int]) -> list[int]:
    """Open tickets now, counted per age bucket (`edges`: each bucket's fewest days), in one
    read of the open tickets' index."""
    counts = []
    for index, low in enumerate(edges):
        newest = now - timedelta(days=low)
        condition = TicketMetrics.created_at <= newest
        if index + 1 < len(edges):
            oldest = now - timedelta(days=edges[index + 1])
            condition = and_(condition, TicketMetrics.created_at > oldest)
        counts.append(func.coalesce(func.sum(case((condition, 1), else_=0)), 0))
    where = [
        *metric_conditions(session, flt.narrowing(), no_index=True),
        TicketMetrics.is_open == true(),
    ]
    row = session.execute(select(*counts).where(*where)).one()
    return [int(value) for value in row]
