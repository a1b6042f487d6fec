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
from itertools import pairwise
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
    union_all,
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


# A histogram's bins are counted two to a BIGINT word (31 bits each: up to 2^31 - 1
# tickets of a bin in one group), one CASE per word: a third of the per-row work of one
# 0/1 flag per bin, which was most of what a range's query cost beyond reading its rows.
_SLOT_BITS = 31
_PER_WORD = 2
_SLOT_MASK = (1 << _SLOT_BITS) - 1


def _words(prefix: str, seconds: Any) -> dict[str, Any]:
    """The words of a duration's histogram (bins as rollup.hist_bin places them)."""
    found = {}
    for word, first in enumerate(range(0, HIST_BINS, _PER_WORD)):
        whens: list[tuple[Any, Any]] = []
        if first:  # shorter than this word's bins
            whens.append((seconds <= HIST_BOUNDS[first - 1], literal(0, BigInteger)))
        otherwise = literal(0, BigInteger)
        for slot, index in enumerate(range(first, min(first + _PER_WORD, HIST_BINS))):
            value = literal(1 << (_SLOT_BITS * slot), BigInteger)
            if index < len(HIST_BOUNDS):
                whens.append((seconds <= HIST_BOUNDS[index], value))
            else:  # the last bin: everything longer
                otherwise = value
        found[f"{prefix}_w{word}"] = case(*whens, else_=otherwise)
    return found


def _bins_in_words(prefix: str) -> dict[str, tuple[str, int]]:
    """{bin column: (its word, its slot)}."""
    return {
        f"{prefix}_h{index}": (f"{prefix}_w{index // _PER_WORD}", index % _PER_WORD)
        for index in range(HIST_BINS)
    }


_WORD_OF = {
    column: place
    for prefix in ("frt", "frt_b", "res", "res_b")
    for column, place in _bins_in_words(prefix).items()
}


def _wanted(columns: list[str], measures: dict[str, Any]) -> list[str]:
    """The measures (and histogram words) of `measures` that `columns` need, each once."""
    wanted = [name for name in columns if name in measures]
    words = {_WORD_OF[name][0] for name in columns if name in _WORD_OF}
    return wanted + sorted(word for word in words if word in measures)


def _unpacked(columns: list[str], sums: dict[str, int]) -> dict[str, int]:
    """`sums` with each wanted bin read out of its word (and the words dropped)."""
    found = {name: value for name, value in sums.items() if name not in _WORDS}
    for name in columns:
        place = _WORD_OF.get(name)
        if place is not None and place[0] in sums:
            count = (sums[place[0]] >> (_SLOT_BITS * place[1])) & _SLOT_MASK
            if count:
                found[name] = count
    return found


_WORDS = {word for word, _slot in _WORD_OF.values()}


@cache  # built once: the expressions never change
def _parts() -> list[tuple[Any, Any, dict[str, Any]]]:
    """(moment, condition, {measure: per-row value}) — rollup.measures_of in SQL."""
    frt_b = func.coalesce(M.first_reply_business, 0)
    res_b = func.coalesce(M.resolution_business, 0)
    solved = {
        "solved": literal(1),
        "res_sum": M.resolution_seconds,
        "res_bsum": res_b,
        **_words("res", M.resolution_seconds),
        **_words("res_b", res_b),
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
        **_words("frt", M.first_reply_seconds),
        **_words("frt_b", frt_b),
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
    unindexed: list[Any] | None = None,
) -> Grouped:
    """Summed measures of the tickets meeting `conditions`, over hours [h0, h1): grouped as
    kefu.analytics.sources.summed documents (group "span": by span of `bounds`, hours
    from h0 = bounds[0] to h1 = bounds[-1]; see kefu.analytics.spans). `unindexed`: the
    same conditions written so SQLite uses no index of theirs, for the ratings — few
    tickets have one, so the rating time's own index is the right way in, whatever the
    planner guesses of a team's or agent's index without statistics."""
    start, end = _moment_of(h0), _moment_of(h1)
    grouped: Grouped = defaultdict(lambda: defaultdict(int))
    keyed = group == "hour" or (group == "span" and bool(bounds)) or (group == "key" and by)
    prior = _bitmap_scans(session)
    for moment, condition, measures in _parts():
        wanted = _wanted(columns, measures)
        if not wanted:
            continue
        sums = [func.coalesce(func.sum(measures[name]), 0) for name in wanted]
        rare = moment is M.csat_at and unindexed is not None
        where = [*(unindexed if rare else conditions), condition]
        if group == "span" and bounds and not _is_pg(session):
            statement: Any = _span_by_span(sums, where, moment, bounds)
        else:
            statement = _grouped(session, sums, where, moment, (start, end), group, by, bounds)
        for row in session.execute(statement):
            key = _group_key(row[len(wanted)], group) if keyed else None
            target = grouped[key]
            for name, value in zip(wanted, row, strict=False):
                if value:
                    target[name] += int(value)
    if prior is not None:  # (after an error the rollback undoes it)
        session.execute(_SET_INDEXSCAN, {"value": prior})
    return {key: _unpacked(columns, sums) for key, sums in grouped.items()}


def _grouped(
    session: Session,
    sums: list[Any],
    where: list[Any],
    moment: Any,
    range_: tuple[datetime, datetime],
    group: str,
    by: str | None,
    bounds: list[int] | None,
) -> Any:
    """One statement over the range, grouped by the database (no group: one row)."""
    where = [*where, moment >= range_[0], moment < range_[1]]
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
    return statement.group_by(*keys) if keys else statement


def _span_by_span(sums: list[Any], where: list[Any], moment: Any, bounds: list[int]) -> Any:
    """SQLite: each span its own SELECT of its range, UNION ALL. Its GROUP BY sorts every
    row of the range with all its values before summing (a temporary B-tree), which cost
    as much as summing them; a span's range read alone comes in index order, unsorted."""
    parts = [
        select(*sums, literal(index))
        .select_from(M)
        .where(*where, moment >= _moment_of(low), moment < _moment_of(high))
        for index, (low, high) in enumerate(pairwise(bounds))
    ]
    return union_all(*parts)


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
