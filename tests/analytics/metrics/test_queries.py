"""The read side on a known week: every figure against the tickets behind it, the rollup
path against the exact per-ticket path, time zones, drill-downs and bad input."""

from dataclasses import asdict, replace
from datetime import UTC, date, datetime

import pytest

from kefu.analytics import queries
from kefu.analytics.filters import ReportFilter
from kefu.db import Database
from kefu.errors import InvalidInput
from tests.analytics.metrics.factories import FakeClock, clock
from tests.analytics.metrics.test_rollups import busy_week
from tests.commerce.factories import make_order, make_store

__all__ = ["clock"]

WEEK = ReportFilter(since=date(2026, 3, 2), until=date(2026, 3, 4))
AFTER = datetime(2026, 3, 5, tzinfo=UTC)


def test_overview_of_the_week(database: Database, clock: FakeClock) -> None:
    busy_week(database, clock)
    with database.sessions() as session:
        o = queries.overview(session, flt=WEEK, now=AFTER)
        before = queries.overview(session, flt=WEEK.previous_period(), now=AFTER)
    assert (o.created, o.solved, o.backlog) == (6, 3, 3)
    assert dict(o.backlog_by_age) == {"lt_1d": 1, "1_3d": 2, "3_7d": 0, "7_30d": 0, "gt_30d": 0}
    # first replies: 75 minutes (Sales) and 2 hours (Returns), three of each
    assert o.frt_mean == 5850 and o.frt_business_mean == 5850
    assert o.frt_median == 5400  # both in the 1–2 hour bin: its middle (docs/metrics.md)
    assert (o.resolution_mean, o.replies_per_solved) == (7200, 1)
    assert (o.one_touch_pct, o.first_contact_pct, o.reopened_pct) == (100, 100, 0)
    assert (o.csat_good, o.csat_bad, o.csat_pct) == (2, 1, 66.7)
    assert (o.sla_achieved, o.sla_breached, o.sla_achieved_pct) == (6, 0, 100)
    assert before.created == 0 and before.frt_mean is None
    assert WEEK.previous_period() == replace(WEEK, since=date(2026, 2, 27), until=date(2026, 3, 1))


def test_series_breakdowns_and_heat_map(database: Database, clock: FakeClock) -> None:
    busy_week(database, clock)
    shanghai = replace(WEEK, time_zone="Asia/Shanghai")
    with database.sessions() as session:
        days = queries.series(session, flt=WEEK, metrics=["created", "solved", "frt_mean"])
        weeks = queries.series(session, flt=WEEK, metrics=["created"], grain="week")
        teams = queries.breakdown(session, flt=WEEK, by="team")
        tags = queries.breakdown(session, flt=WEEK, by="tag")
        utc_grid = queries.heatmap(session, flt=WEEK)
        local_grid = queries.heatmap(session, flt=shanghai)
    assert [(p.bucket.day, p.values["created"], p.values["solved"]) for p in days] == [
        (2, 2, 1),
        (3, 2, 1),
        (4, 2, 1),
    ]
    assert days[0].values["frt_mean"] == 5850
    assert [(p.bucket, p.values["created"]) for p in weeks] == [(date(2026, 3, 2), 6)]
    assert [(r.created, r.solved, r.frt_mean) for r in teams] == [(3, 3, 4500), (3, 0, 7200)]
    assert sorted((r.key, r.created, r.csat_pct) for r in tags) == [
        ("refund", 3, 66.7),
        ("vip", 3, 66.7),
    ]
    assert [(d, h) for d in range(7) for h in range(24) if utc_grid[d][h]] == [
        (d, h) for d in (0, 1, 2) for h in (8, 14)
    ]
    assert [(d, h) for d in range(7) for h in range(24) if local_grid[d][h]] == [
        (d, h) for d in (0, 1, 2) for h in (16, 22)
    ]


def test_two_filters_read_the_tickets_and_agree_with_the_rollups(
    database: Database, clock: FakeClock
) -> None:
    busy_week(database, clock)
    with database.sessions() as session:
        sales = queries.overview(session, flt=replace(WEEK, tag="refund"), now=AFTER)
        exact = queries.overview(
            session, flt=replace(WEEK, tag="refund", type="question"), now=AFTER
        )
        web = queries.breakdown(session, flt=replace(WEEK, channel="web"), by="team")
    assert asdict(sales) == asdict(exact)
    assert (sales.created, sales.solved, sales.frt_mean) == (3, 3, 4500)
    assert [(r.created, r.frt_mean) for r in web] == [(3, 7200)]


def test_drilldown_lists_the_tickets_behind_a_figure(database: Database, clock: FakeClock) -> None:
    ids = busy_week(database, clock)
    with database.sessions() as session:
        teams = queries.breakdown(session, flt=WEEK, by="team")
        created = queries.drilldown(
            session, flt=WEEK, metric="created", by="team", key=teams[1].key
        )
        bad = queries.drilldown(session, flt=WEEK, metric="csat_bad")
        tuesday = queries.drilldown(session, flt=WEEK, metric="created", bucket=date(2026, 3, 3))
        backlog = queries.drilldown(session, flt=WEEK, metric="backlog")
        tagged = queries.drilldown(session, flt=WEEK, metric="solved", key="tag:vip")
    assert [r.ticket_id for r in created.items] == [ids[5], ids[3], ids[1]]
    assert (created.total, created.pages, created.items[0].subject) == (3, 1, "Where is my order?")
    assert [r.ticket_id for r in bad.items] == [ids[2]]
    assert sorted(r.ticket_id for r in tuesday.items) == [ids[2], ids[3]]
    assert backlog.total == 3 and tagged.total == 3


def test_commerce_figures_count_pre_sale_conversions(database: Database, clock: FakeClock) -> None:
    busy_week(database, clock)  # three "question" tickets from c2, c3 and c4@example.com
    store = make_store(database)
    make_order(
        database,
        store=store,
        number="2001",
        email="c2@example.com",
        placed_at=datetime(2026, 3, 3, 10, tzinfo=UTC),
    )
    make_order(
        database,
        store=store,
        number="2002",
        email="c3@example.com",
        placed_at=datetime(2026, 3, 20, 10, tzinfo=UTC),
    )
    with database.sessions() as session:
        figures = queries.commerce_figures(session, flt=WEEK)
    assert (figures.presale_conversations, figures.presale_converted) == (3, 1)
    assert figures.presale_conversion_pct == 33.3
    assert (figures.orders, figures.refunds, figures.returns) == (1, 0, 0)
    assert figures.business_response_mean == 5850


@pytest.mark.parametrize(
    "call",
    [
        lambda s: queries.series(s, flt=WEEK, metrics=["nope"]),
        lambda s: queries.breakdown(s, flt=WEEK, by="colour"),
        lambda s: queries.drilldown(s, flt=WEEK, metric="nope"),
        lambda s: queries.drilldown(s, flt=WEEK, metric="created", key="3"),
        lambda s: ReportFilter(since=date(2026, 3, 2), until=date(2026, 3, 1)),
        lambda s: ReportFilter(since=date(2026, 3, 2), until=date(2026, 3, 3), time_zone="Mars"),
    ],
)
def test_bad_input_is_refused_with_a_reason(database: Database, call) -> None:  # type: ignore[no-untyped-def]
    with database.sessions() as session, pytest.raises(InvalidInput):
        call(session)


def test_pre_sale_conversion_counts_an_order_up_to_exactly_n_days_after(
    database: Database, clock: FakeClock
) -> None:
    # given the question tickets of c2 (March 2, 08:00) and c3 (March 3, 08:00); c2 orders
    # exactly 7 days later, c3 7 days and a microsecond later
    busy_week(database, clock)
    store = make_store(database)
    for number, email, placed_at in (
        ("3001", "c2@example.com", datetime(2026, 3, 9, 8, tzinfo=UTC)),
        ("3002", "c3@example.com", datetime(2026, 3, 10, 8, 0, 0, 1, tzinfo=UTC)),
    ):
        make_order(database, store=store, number=number, email=email, placed_at=placed_at)
    # when
    with database.sessions() as session:
        figures = queries.commerce_figures(session, flt=WEEK)
    # then only c2's counts
    assert (figures.presale_conversations, figures.presale_converted) == (3, 1)


def test_a_heat_map_cell_drills_to_the_tickets_created_in_it(
    database: Database, clock: FakeClock
) -> None:
    busy_week(database, clock)
    shanghai = replace(WEEK, time_zone="Asia/Shanghai")
    with database.sessions() as session:
        grids = {flt.time_zone: queries.heatmap(session, flt=flt) for flt in (WEEK, shanghai)}
        cells = {
            (flt.time_zone, d, h): queries.drilldown(
                session, flt=flt, metric="created", cell=(d, h)
            )
            for flt in (WEEK, shanghai)
            for d in range(7)
            for h in range(24)
        }
        with pytest.raises(InvalidInput):
            queries.drilldown(session, flt=WEEK, metric="solved", cell=(0, 8))
        with pytest.raises(InvalidInput):
            queries.drilldown(session, flt=WEEK, metric="created", cell=(7, 8))
    # every cell lists as many tickets as it counts, on both zones' grids
    for (zone, d, h), found in cells.items():
        assert found.total == grids[zone][d][h], (zone, d, h)
    assert sum(found.total for found in cells.values()) == 12
    # Monday 08:00 UTC is 16:00 in Shanghai: the same ticket
    monday = cells[("UTC", 0, 8)].items
    assert monday and [r.ticket_id for r in monday] == [
        r.ticket_id for r in cells[("Asia/Shanghai", 0, 16)].items
    ]


def test_pre_sale_figures_drill_to_their_conversations(
    database: Database, clock: FakeClock
) -> None:
    busy_week(database, clock)
    store = make_store(database)
    make_order(
        database,
        store=store,
        number="2001",
        email="c2@example.com",
        placed_at=datetime(2026, 3, 3, 10, tzinfo=UTC),
    )
    with database.sessions() as session:
        figures = queries.commerce_figures(session, flt=WEEK)
        conversations = queries.drilldown(session, flt=WEEK, metric="presale")
        converted = queries.drilldown(session, flt=WEEK, metric="presale_converted")
    assert conversations.total == figures.presale_conversations == 3
    assert converted.total == figures.presale_converted == 1
    assert {r.ticket_id for r in converted.items} < {r.ticket_id for r in conversations.items}
