"""What one ticket's metrics add to the hourly rollups, and writing those additions.

The handler subtracts a ticket's old contribution and adds its new one; rebuild sums every
ticket's contribution. Both use `contributions`, so the rollups always equal the per-ticket
figures summed (tests/analytics/metrics/test_rollups.py checks it)."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from operator import itemgetter
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kefu.analytics.models import HIST_BOUNDS, MEASURES, rollups
from kefu.kit.clock import as_utc

Key = tuple[str, str, int]  # dim, key, hour
Sums = dict[Key, dict[str, int]]
DONE = ("solved", "closed")


def hour_of(moment: datetime) -> int:
    return int(as_utc(moment).timestamp()) // 3600


def hist_bin(seconds: int) -> int:
    """The histogram bin of a duration: bin i holds up to HIST_BOUNDS[i] seconds."""
    return bisect_left(HIST_BOUNDS, seconds)


def dims_of(m: Any) -> list[tuple[str, str]]:
    """The (dimension, key) pairs a ticket is counted under."""
    found = [("all", ""), ("channel", m.channel or ""), ("priority", m.priority or "")]
    for dim, value in (
        ("store", m.store_id),
        ("team", m.team_id),
        ("agent", m.assignee_id),
        ("type", m.type),
        ("intent", m.intent),
    ):
        if value is not None and value != "":
            found.append((dim, str(value)))
    found += [("tag", tag) for tag in sorted(set(m.tags or []))]
    return found


def measures_of(m: Any) -> list[tuple[int, dict[str, int]]]:
    """(hour, measures) a ticket adds: created in its creation hour, first reply figures in
    the hour of the first reply, the rest in the hour it was (last) solved, CSAT when rated."""
    if m.is_gone:
        return []
    parts = [(hour_of(m.created_at), {"created": 1})]
    if m.first_reply_seconds is not None and m.first_reply_at is not None:
        parts.append(
            (
                hour_of(m.first_reply_at),
                {
                    "frt_count": 1,
                    "frt_sum": m.first_reply_seconds,
                    "frt_bsum": m.first_reply_business or 0,
                    f"frt_h{hist_bin(m.first_reply_seconds)}": 1,
                    f"frt_b_h{hist_bin(m.first_reply_business or 0)}": 1,
                },
            )
        )
    if m.status in DONE and m.solved_at is not None and m.resolution_seconds is not None:
        solved = {
            "solved": 1,
            "res_sum": m.resolution_seconds,
            "res_bsum": m.resolution_business or 0,
            f"res_h{hist_bin(m.resolution_seconds)}": 1,
            f"res_b_h{hist_bin(m.resolution_business or 0)}": 1,
            "nrt_count": m.next_reply_count,
            "nrt_sum": m.next_reply_seconds,
            "nrt_bsum": m.next_reply_business,
            "wait_sum": m.requester_wait_seconds,
            "wait_bsum": m.requester_wait_business,
            "hold_sum": m.on_hold_seconds,
            "hold_bsum": m.on_hold_business,
            "work_sum": m.agent_work_seconds,
            "work_bsum": m.agent_work_business,
            "replies": m.replies,
            "one_touch": int(bool(m.one_touch)),
            "first_contact": int(bool(m.first_contact)),
            "reopened": int(m.reopens > 0),
            "reopens": m.reopens,
            "assignee_hops": m.assignee_hops,
            "team_hops": m.team_hops,
            "sla_achieved": m.sla_achieved,
            "sla_breached": m.sla_breached,
        }
        parts.append((hour_of(m.solved_at), solved))
    if m.csat in ("good", "bad") and m.csat_at is not None:
        parts.append((hour_of(m.csat_at), {f"csat_{m.csat}": 1}))
    return parts


def add_into(total: Sums, m: Any, sign: int = 1) -> None:
    """Add (or with sign -1 take away) one ticket's contribution."""
    parts = measures_of(m)
    if not parts:
        return
    for dim, key in dims_of(m):
        for hour, values in parts:
            row = total.setdefault((dim, key, hour), defaultdict(int))
            for name, value in values.items():
                if value:
                    row[name] += sign * value


def sums_of(metrics: Iterable[Any]) -> Sums:
    total: Sums = {}
    for m in metrics:
        add_into(total, m)
    return total


def _rows(sums: Sums) -> list[dict[str, Any]]:
    rows = []
    for (dim, key, hour), values in sums.items():
        if not any(values.values()):
            continue
        row: dict[str, Any] = dict.fromkeys(MEASURES, 0)
        row.update(values)
        row.update(dim=dim, key=key, hour=hour)
        rows.append(row)
    return rows


@cache
def _upsert(dialect: str) -> Any:
    """The add-to-row upsert, built once per dialect: building its SET clause of every
    measure took longer than running it."""
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(rollups)
    return statement.on_conflict_do_update(
        index_elements=["dim", "key", "hour"],
        set_={name: rollups.c[name] + statement.excluded[name] for name in MEASURES},
    )


def apply(session: Session, delta: Sums) -> None:
    """Add `delta` to the rollups (rows created as needed), in key order so two handlers
    touching the same rows lock them in the same order."""
    rows = sorted(_rows(delta), key=lambda r: (r["dim"], r["key"], r["hour"]))
    if not rows:
        return
    statement = _upsert(session.get_bind().dialect.name)
    for start in range(0, len(rows), 500):
        session.execute(statement, rows[start : start + 500])


COLUMNS = ("dim", "key", "hour", *MEASURES)


def rows_of(sums: Sums) -> list[tuple[Any, ...]]:
    """The rows that hold anything, as tuples in COLUMNS order."""
    pick = itemgetter(*MEASURES)  # the sums are defaultdicts: a missing measure reads 0
    return [
        (dim, key, hour, *pick(values))
        for (dim, key, hour), values in sums.items()
        if any(values.values())
    ]


def insert_rows(connection: Any, rows: list[tuple[Any, ...]]) -> None:
    """Plain values straight to the driver: a rebuild writes hundreds of thousands."""
    mark = "?" if connection.dialect.name == "sqlite" else "%s"
    statement = (
        f"INSERT INTO {rollups.name} ({', '.join(COLUMNS)}) "  # noqa: S608
        f"VALUES ({', '.join(mark for _c in COLUMNS)})"
    )
    for start in range(0, len(rows), 5000):
        connection.exec_driver_sql(statement, rows[start : start + 5000])


def replace_all(session: Session, sums: Sums) -> None:
    """Rebuild: the rollups become exactly `sums`."""
    session.execute(delete(rollups))
    insert_rows(session.connection(), rows_of(sums))
