"""The overview page's readings in one pass (queries.overview_with_trend: the period, the
period before and the created/solved chart, each source read once and grouped by span)
against the three separate calls it replaces — every filter kind (rollups, exact path),
every grain, zones with DST and half-hour offsets — and kefu.analytics.spans itself."""

import random
from bisect import bisect_right
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import literal, select, text

from kefu.analytics import queries, rollup, spans
from kefu.analytics.filters import ReportFilter
from kefu.analytics.models import TicketMetrics
from kefu.analytics.reports.periods import DayRange, previous_range
from kefu.db import Database
from tests.analytics.metrics.test_exact import varied

NOW = datetime(2026, 6, 1, tzinfo=UTC)
MOMENTS = ("created_at", "first_reply_at", "solved_at", "csat_at")
NARROWINGS = [
    {},  # the rollups, dimension "all"
    {"team_id": 2},  # one filter: the rollups
    {"tag": "refund"},
    {"team_id": 2, "channel": "email"},  # two filters: the exact path
    {"agent_id": 8, "tag": "refund"},
    {"store_id": 1, "type": "question", "intent": "refund"},
]
# (since, until, zone): DST in Europe (29 March) and America (8 March) inside the ranges
RANGES = [
    (date(2026, 3, 20), date(2026, 4, 2), "Europe/London"),
    (date(2026, 3, 1), date(2026, 3, 31), "America/New_York"),
    (date(2026, 2, 16), date(2026, 4, 19), "Asia/Kolkata"),
    (date(2026, 3, 5), date(2026, 3, 5), "UTC"),
]


def spread(database: Database, seed: int = 4) -> None:
    """The varied tickets of test_exact moved by up to ten weeks each (all their moments
    together), their rollups rebuilt: data in many days, weeks and months."""
    varied(database, count=60)
    rng = random.Random(seed)
    with database.unit_of_work() as session:
        every = list(session.scalars(select(TicketMetrics).order_by(TicketMetrics.ticket_id)))
        for row in every:
            shift = timedelta(days=rng.randint(-35, 35), minutes=rng.choice([0, 30, 45]))
            for name in MOMENTS:
                if getattr(row, name) is not None:
                    setattr(row, name, getattr(row, name) + shift)
        session.flush()
        rollup.replace_all(session, rollup.sums_of(every))


@pytest.mark.parametrize("grain", ["day", "week", "month"])
def test_one_pass_equals_the_three_readings(database: Database, grain: str) -> None:
    spread(database)
    with database.sessions() as session:
        for since, until, zone in RANGES:
            before = previous_range(DayRange(since, until))
            for narrowing in NARROWINGS:
                flt = ReportFilter(since=since, until=until, time_zone=zone, **narrowing)
                prev = replace(flt, since=before.since, until=before.until)
                found = queries.overview_with_trend(
                    session, flt=flt, prev=prev, now=NOW, grain=grain
                )
                expected = (
                    queries.overview(session, flt=flt, now=NOW),
                    queries.overview(session, flt=prev, now=NOW, backlog=False),
                    queries.series(session, flt=flt, metrics=["created", "solved"], grain=grain),
                )
                assert found == expected, (since, zone, narrowing)
                assert found[0].created or found[1].created or narrowing  # not all empty


def test_the_readings_are_not_empty(database: Database) -> None:
    spread(database)
    flt = ReportFilter(since=date(2026, 2, 16), until=date(2026, 4, 19))
    prev = flt.previous_period()
    with database.sessions() as session:
        now, before, points = queries.overview_with_trend(
            session, flt=flt, prev=prev, now=NOW, grain="week"
        )
    assert now.created > 10 and now.solved > 5 and before.created > 0
    assert sum(1 for p in points if p.values["created"]) > 4
    assert sum(p.values["created"] or 0 for p in points) == now.created


def test_a_previous_period_that_is_not_just_before_is_read_apart(database: Database) -> None:
    spread(database)
    flt = ReportFilter(since=date(2026, 3, 10), until=date(2026, 3, 20), team_id=2, channel="email")
    with database.sessions() as session:
        for prev in (
            replace(flt, since=date(2026, 2, 1), until=date(2026, 2, 20)),  # a gap between
            replace(flt, since=date(2026, 3, 5), until=date(2026, 3, 15)),  # overlapping
            replace(flt, since=date(2026, 2, 1), until=date(2026, 2, 20), team_id=None),
        ):
            found = queries.overview_with_trend(session, flt=flt, prev=prev, now=NOW)
            assert found[1] == queries.overview(session, flt=prev, now=NOW, backlog=False)
            assert found[0] == queries.overview(session, flt=flt, now=NOW)


@pytest.mark.parametrize("count", [2, 3, 4, 7, 8, 9, 33, 64])
def test_span_of_places_each_value_as_bisect_does(database: Database, count: int) -> None:
    rng = random.Random(count)
    bounds = sorted(rng.sample(range(-500, 500), count))
    numbers = select(literal(bounds[0]).label("v")).cte("numbers", recursive=True)
    numbers = numbers.union_all(select(numbers.c.v + 1).where(numbers.c.v + 1 < bounds[-1]))
    statement = select(numbers.c.v, spans.span_of(numbers.c.v, bounds))
    with database.sessions() as session:
        found = dict(session.execute(statement).all())
    values = range(bounds[0], bounds[-1])
    assert found == {v: bisect_right(bounds, v) - 1 for v in values}


def test_span_bounds_must_increase() -> None:
    with pytest.raises(ValueError):
        spans.check_bounds([3, 3, 4])
    with pytest.raises(ValueError):
        spans.span_of(literal(1), [1])


def test_the_exact_path_leaves_the_planner_as_it_found_it(database: Database) -> None:
    """PostgreSQL: the exact path turns plain index scans off for its own statements only."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL planner setting")
    spread(database)
    flt = ReportFilter(since=date(2026, 3, 1), until=date(2026, 3, 31), team_id=2, channel="email")
    setting = text("SELECT current_setting('enable_indexscan')")
    with database.sessions() as session:
        assert session.scalar(setting) == "on"
        queries.overview_with_trend(session, flt=flt, prev=flt.previous_period(), now=NOW)
        queries.breakdown(session, flt=flt, by="agent")
        assert session.scalar(setting) == "on"
