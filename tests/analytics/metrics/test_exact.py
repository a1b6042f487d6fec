"""The exact path (kefu.analytics.exact: the database sums the per-ticket metrics) against
the per-ticket figures summed in Python by kefu.analytics.rollup, on tickets with varied
metrics: every filter combination, every grouping, and — with one filter — the rollups."""

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from itertools import combinations
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.analytics import exact, queries, rollup, sources
from kefu.analytics.filters import FILTER_DIMS, ReportFilter
from kefu.analytics.models import HIST_BOUNDS, MEASURES, TicketMetrics
from kefu.db import Database
from tests.analytics.metrics.factories import customer_writes, run_handlers

START = datetime(2026, 3, 2, tzinfo=UTC)
RANGE = ReportFilter(since=date(2026, 3, 3), until=date(2026, 3, 5))
VALUES = {
    "store_id": [None, 1, 2],
    "channel": ["email", "chat", "web"],
    "team_id": [None, 1, 2],
    "assignee_id": [None, 7, 8, 9],
    "type": [None, "", "question", "incident"],
    "intent": [None, "refund", "where-is-my-order"],
}


def _moment(rng: random.Random) -> datetime:
    """Inside the range mostly, sometimes before or after it."""
    return START + timedelta(seconds=rng.randint(0, 5 * 86400))


def _seconds(rng: random.Random) -> int:
    """Durations on, just inside and around every histogram bound."""
    return rng.choice([0, *HIST_BOUNDS, *(b + 1 for b in HIST_BOUNDS), rng.randint(1, 10**7)])


def varied(database: Database, count: int = 40, seed: int = 9) -> None:
    """`count` tickets whose metrics rows are then given varied values."""
    rng = random.Random(seed)
    ids = [customer_writes(database) for _n in range(count)]
    run_handlers(database)
    with database.unit_of_work() as session:
        for ticket_id in ids:
            row = session.get(TicketMetrics, ticket_id)
            assert row is not None
            for name, choices in VALUES.items():
                setattr(row, name, rng.choice(choices))
            row.tags = sorted(rng.sample(["refund", "vip", "pre-sale"], rng.randint(0, 2)))
            row.is_gone = rng.random() < 0.05
            row.status = rng.choice(["open", "solved", "closed", "pending"])
            row.created_at = _moment(rng)
            answered = rng.random() < 0.8
            row.first_reply_at = _moment(rng) if answered else None
            row.first_reply_seconds = _seconds(rng) if answered else None
            row.first_reply_business = rng.choice([None, _seconds(rng)]) if answered else None
            row.solved_at = _moment(rng) if rng.random() < 0.7 else None
            row.resolution_seconds = _seconds(rng) if row.solved_at else None
            row.resolution_business = rng.choice([None, _seconds(rng)])
            for name in ("next_reply_count", "replies", "reopens", "assignee_hops", "team_hops"):
                setattr(row, name, rng.randint(0, 3))
            for name in ("next_reply_seconds", "requester_wait_seconds", "agent_work_business"):
                setattr(row, name, rng.randint(0, 9999))
            row.one_touch, row.first_contact = rng.random() < 0.5, rng.random() < 0.5
            row.sla_achieved, row.sla_breached = rng.randint(0, 2), rng.randint(0, 1)
            row.csat = rng.choice([None, "good", "bad"])
            row.csat_at = _moment(rng) if row.csat and rng.random() < 0.9 else None
        session.flush()
        rollup.replace_all(session, rollup.sums_of(session.scalars(select(TicketMetrics))))


def _matches(m: TicketMetrics, narrowing: list[tuple[str, str]]) -> bool:
    keys = dict(rollup.dims_of(m))
    tags = set(m.tags or [])
    return all(key in tags if dim == "tag" else keys.get(dim) == key for dim, key in narrowing)


def per_ticket(
    every: list[TicketMetrics], flt: ReportFilter, group: str, by: str | None
) -> dict[Any, dict[str, int]]:
    """The reference: matching tickets' contributions summed by rollup.add_into."""
    h0, h1 = sources.hour_range(flt)
    total = rollup.sums_of(m for m in every if _matches(m, flt.narrowing()))
    found: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (dim, key, hour), values in total.items():
        if dim != (by or "all") or not h0 <= hour < h1:
            continue
        target = found[hour if group == "hour" else key if group == "key" else None]
        for name, value in values.items():
            target[name] += value
    return _plain(found)


def _plain(grouped: dict[Any, dict[str, int]]) -> dict[Any, dict[str, int]]:
    cleaned = {k: {n: v for n, v in sums.items() if v} for k, sums in grouped.items()}
    return {k: sums for k, sums in cleaned.items() if sums}


def _filters() -> list[ReportFilter]:
    """No filter, each filter alone, every pair and a few triples, on present values."""
    picks = {
        "store_id": 1,
        "channel": "email",
        "team_id": 2,
        "agent_id": 8,
        "tag": "refund",
        "type": "question",
        "intent": "refund",
    }
    fields = [name for name, _dim in FILTER_DIMS]
    chosen = [()] + [(f,) for f in fields] + list(combinations(fields, 2))
    chosen += [("team_id", "channel", "tag"), ("agent_id", "type", "intent")]
    return [ReportFilter(**{**_base(), **{f: picks[f] for f in c}}) for c in chosen]


def _base() -> dict[str, Any]:
    return {"since": RANGE.since, "until": RANGE.until, "time_zone": "Asia/Shanghai"}


def _exact(session: Session, flt: ReportFilter, group: str, by: str | None) -> Any:
    h0, h1 = sources.hour_range(flt)
    conditions = sources.metric_conditions(session, flt.narrowing())
    return _plain(exact.summed(session, conditions, h0, h1, list(MEASURES), group, by))


@pytest.mark.parametrize("group", ["", "hour", "key"])
def test_the_exact_path_equals_the_per_ticket_figures(database: Database, group: str) -> None:
    varied(database)
    bys = list(queries.BREAKDOWNS) if group == "key" else [None]
    with database.sessions() as session:
        every = list(session.scalars(select(TicketMetrics)))
        for flt in _filters():
            for by in bys:
                found = _exact(session, flt, group, by)
                assert found == per_ticket(every, flt, group, by), (flt.narrowing(), by)


def test_one_filter_reads_the_same_from_the_rollups(database: Database) -> None:
    varied(database)
    with database.sessions() as session:
        for flt in _filters()[:8]:  # no filter, then each alone: the rollup path
            assert sources.uses_rollups(flt)
            for group in ("", "hour"):
                rolled = sources.summed(session, flt, list(MEASURES), group=group)
                assert _plain(rolled) == _exact(session, flt, group, None)
        for by in queries.BREAKDOWNS:
            rolled = sources.summed(session, RANGE, list(MEASURES), group="key", by=by)
            assert _plain(rolled) == _exact(session, RANGE, "key", by)


def test_histogram_words_hold_each_bin_count_apart() -> None:
    """Bins are summed two to a word (kefu.analytics.exact): a bin's count up to 2^31 - 1
    never spills into its neighbour, and only the bins asked for come back."""
    full = (1 << 31) - 1
    sums = {"res_w0": full + (5 << 31), "res_w7": 3 << 31, "solved": 9}
    columns = ["solved", "res_h0", "res_h1", "res_h15"]
    assert exact._unpacked(columns, sums) == {
        "solved": 9,
        "res_h0": full,
        "res_h1": 5,
        "res_h15": 3,
    }
