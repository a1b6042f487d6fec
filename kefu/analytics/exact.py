"""The exact path for filters the rollups cannot answer (two or more narrowing dimensions,
or a breakdown under a filter): the per-ticket metrics summed by the database itself, the
way kefu.analytics.rollup counts them — each measure in the hour of its moment (created,
first reply, last solve, rating), histogram bins by the same bounds.

One query per moment, each reading only that moment's range of hours (through that moment's
index, or a dimension's index by creation time when narrower), so the cost follows the
tickets of the range, not the table; the sums are made by the database, not row by row in
Python."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime
from functools import cache, lru_cache
from typing import Any

from sqlalchemy import (
    BigInteger,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    text,
    true,
)
from sqlalchemy.orm import Session

from kefu.analytics.models import HIST_BINS, HIST_BOUNDS, TicketMetrics
from kefu.analytics.rollup import DONE
from kefu.analytics.spans import span_of

M = TicketMetrics
Grouped = dict[Any, dict[str, int]]

_DIM_COLUMNS = {
    "store": M.store_id,
    "channel": M.channel,
    "team": M.team_id,
    "agent": M.assignee_id,
    "type": M.type,
    "intent": M.intent,
    "priority": M.priority,
}


def _flag(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def _bins(prefix: str, seconds: Any) -> dict[str, Any]:
    """The histogram bins of a duration, as rollup.hist_bin places it."""
    found = {}
    for index in range(HIST_BINS):
        parts = []
        if index:
            parts.append(seconds > HIST_BOUNDS[index - 1])
        if index < len(HIST_BOUNDS):
            parts.append(seconds <= HIST_BOUNDS[index])
        found[f"{prefix}_h{index}"] = _flag(and_(*parts))
    return found


@cache  # built once: the expressions never change
def _parts() -> list[tuple[Any, Any, dict[str, Any]]]:
    """(moment, condition, {measure: per-row value}) — rollup.measures_of in SQL."""
    frt_b = func.coalesce(M.first_reply_business, 0)
    res_b = func.coalesce(M.resolution_business, 0)
    solved = {
        "solved": literal(1),
        "res_sum": M.resolution_seconds,
        "res_bsum": res_b,
        **_bins("res", M.resolution_seconds),
        **_bins("res_b", res_b),
        "nrt_count": M.next_reply_count,
        "nrt_sum": M.next_reply_seconds,
        "nrt_bsum": M.next_reply_business,
        "wait_sum": M.requester_wait_seconds,
        "wait_bsum": M.requester_wait_business,
        "hold_sum": M.on_hold_seconds,
        "hold_bsum": M.on_hold_business,
        "work_sum": M.agent_work_seconds,
        "work_bsum": M.agent_work_business,
        "replies": M.replies,
        "one_touch": _flag(M.one_touch.is_(True)),
        "first_contact": _flag(M.first_contact.is_(True)),
        "reopened": _flag(M.reopens > 0),
        "reopens": M.reopens,
        "assignee_hops": M.assignee_hops,
        "team_hops": M.team_hops,
        "sla_achieved": M.sla_achieved,
        "sla_breached": M.sla_breached,
    }
    first_reply = {
        "frt_count": literal(1),
        "frt_sum": M.first_reply_seconds,
        "frt_bsum": frt_b,
        **_bins("frt", M.first_reply_seconds),
        **_bins("frt_b", frt_b),
    }
    return [
        (M.created_at, true(), {"created": literal(1)}),
        (M.first_reply_at, M.first_reply_seconds.is_not(None), first_reply),
        (
            M.solved_at,
            and_(M.status.in_(DONE), M.resolution_seconds.is_not(None)),
            solved,
        ),
        (
            M.csat_at,
            M.csat.in_(("good", "bad")),
            {"csat_good": _flag(M.csat == "good"), "csat_bad": _flag(M.csat == "bad")},
        ),
    ]


def _hour(session: Session, moment: Any) -> Any:
    """The moment's hour: PostgreSQL's epoch ÷ 3600; SQLite cuts its UTC text to
    "YYYY-MM-DD HH" (no date parsing per row), which `_group_key` turns into the number."""
    if _is_pg(session):
        return cast(func.floor(func.extract("epoch", moment) / 3600), BigInteger)
    return func.substr(moment, 1, 13)


def _key_column(session: Session, by: str) -> tuple[Any, Any]:
    """(the grouped value, the table-valued tags function to join, or None)."""
    if by == "tag":
        name = "jsonb_array_elements_text" if _is_pg(session) else "json_each"
        each = getattr(func, name)(M.tags).table_valued("value")
        return each.c.value, each
    column = _DIM_COLUMNS[by]
    if not _is_pg(session):
        # SQLite would walk the value's own index (e.g. (assignee_id, solved_at): every
        # agent's run of the range in turn, to skip sorting the groups), which reads the
        # same rows in a far worse order than the moment's range does; "+" keeps it off
        column = literal_column(f"+{M.__tablename__}.{column.key}")
    return column, None


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def summed(
    session: Session,
    conditions: list[Any],
    h0: int,
    h1: int,
    columns: list[str],
    group: str,
    by: str | None,
    bounds: list[int] | None = None,
) -> Grouped:
    """Summed measures of the tickets meeting `conditions`, over hours [h0, h1): grouped as
    kefu.analytics.sources.summed documents (group "span": by span of `bounds`, hours
    from h0 = bounds[0] to h1 = bounds[-1]; see kefu.analytics.spans)."""
    start, end = _moment_of(h0), _moment_of(h1)
    grouped: Grouped = defaultdict(lambda: defaultdict(int))
    prior = _bitmap_scans(session)
    for moment, condition, measures in _parts():
        wanted = [name for name in columns if name in measures]
        if not wanted:
            continue
        sums = [func.coalesce(func.sum(measures[name]), 0) for name in wanted]
        where = [*conditions, condition, moment >= start, moment < end]
        keys: list[Any] = []
        statement = select(*sums).select_from(M)
        if group == "hour":
            keys = [_hour(session, moment)]
        elif group == "span" and bounds:
            keys = [span_of(moment, [_moment_of(hour) for hour in bounds])]
        elif group == "key" and by:
            column, joined = _key_column(session, by)
            if joined is not None:
                statement = statement.join(joined, true())
            elif by in ("type", "intent"):  # rollup.dims_of leaves out an empty value
                where += [column.is_not(None), column != ""]
            elif by not in ("channel", "priority"):  # these count a missing value as ""
                where.append(column.is_not(None))
            keys = [column]
        statement = statement.add_columns(*keys).where(*where)
        if keys:
            statement = statement.group_by(*keys)
        for row in session.execute(statement):
            key = _group_key(row[len(wanted)], group) if keys else None
            target = grouped[key]
            for name, value in zip(wanted, row, strict=False):
                if value:
                    target[name] += int(value)
    if prior is not None:  # (after an error the rollback undoes it)
        session.execute(_SET_INDEXSCAN, {"value": prior})
    return grouped


_SET_INDEXSCAN = text("SELECT set_config('enable_indexscan', :value, true)")


def _bitmap_scans(session: Session) -> str | None:
    """PostgreSQL: no plain index scans for these statements (until `summed` ends; local to
    the transaction either way). Each reads thousands of rows of a range, which a bitmap
    scan fetches page by page; a plain index scan fetches them one by one, and its planner
    prefers the moment's own index for the range (the rows follow time, so it looks cheap)
    over the team's or agent's, which reads a fifth of the rows: measured 2.5× slower for a
    team's first replies. Returns the setting to restore."""
    if not _is_pg(session):
        return None
    prior = session.scalar(text("SELECT current_setting('enable_indexscan')"))
    session.execute(_SET_INDEXSCAN, {"value": "off"})
    return str(prior)


_EPOCH_DAY = date(1970, 1, 1).toordinal()


@lru_cache(maxsize=65536)  # the same hours come back in each moment's query
def _sqlite_hour(value: str) -> int:
    """ "YYYY-MM-DD HH" (UTC) as hours since the epoch, without strptime (a 90-day series
    groups thousands of hours)."""
    return (date.fromisoformat(value[:10]).toordinal() - _EPOCH_DAY) * 24 + int(value[11:13])


def _moment_of(hour: int) -> datetime:
    return datetime.fromtimestamp(hour * 3600, tz=UTC)


def _group_key(value: Any, group: str) -> Any:
    if group == "span":
        return int(value)
    if group == "hour":
        return _sqlite_hour(value) if isinstance(value, str) else int(value)
    return "" if value is None else str(value)
