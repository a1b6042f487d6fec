"""The rollups equal the per-ticket figures summed; the handler is idempotent and takes
events in any order; `rebuild` reproduces exactly what the handler kept."""

from collections import defaultdict

from sqlalchemy import select

from kefu.analytics import rollup, service
from kefu.analytics.jobs import follow_tickets
from kefu.analytics.models import SUMS, TicketMetrics
from kefu.db import Database
from kefu.events import Event
from kefu.kit.actor import Actor
from tests.analytics.metrics.factories import (
    FakeClock,
    agent,
    agent_replies,
    change,
    clock,
    customer_writes,
    metrics_of,
    metrics_table,
    rate,
    rollup_table,
    run_handlers,
)
from tests.sla.factories import make_policy, make_schedule, make_team, targets

__all__ = ["clock"]


def busy_week(database: Database, clock: FakeClock) -> list[int]:
    """A few tickets across teams, agents, channels, tags and days."""
    sales, returns = make_team(database, "Sales"), make_team(database, "Returns")
    make_schedule(database, team_ids=[returns])
    make_policy(database, hours="business", targets=targets(first_reply=60, resolution=480))
    ann, bob = agent(database, "ann@example.com"), agent(database, "bob@example.com")
    bob_id = int(bob.ref.split(":")[1])
    ids = []
    for day in (2, 3, 4):
        clock.at(day, 8)
        one = customer_writes(database, email=f"c{day}@example.com")
        change(database, one, team_id=sales, tags=["refund", "vip"], type="question")
        run_handlers(database)  # the SLA clocks start while it is open
        clock.at(day, 9, 15)
        agent_replies(database, ann, one)
        clock.at(day, 10)
        change(database, one, status="solved")
        clock.at(day, 11)
        rate(database, one, "good" if day != 3 else "bad", clock.now)
        clock.at(day, 14)
        two = customer_writes(database, email=f"d{day}@example.com", channel="web")
        change(database, two, team_id=returns, assignee_id=bob_id)
        clock.at(day, 16)
        agent_replies(database, bob, two)
        if day == 3:
            clock.at(day, 17)
            change(database, two, status="pending")
        ids += [one, two]
    run_handlers(database)
    return ids


def summed_from_tickets(database: Database) -> dict[tuple[str, str], dict[str, int]]:
    with database.sessions() as session:
        rows = list(session.scalars(select(TicketMetrics)))
        total = rollup.sums_of(rows)
    by_key: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (dim, key, _hour), values in total.items():
        for name, value in values.items():
            by_key[(dim, key)][name] += value
    return {k: {n: v for n, v in vals.items() if v} for k, vals in by_key.items()}


def test_rollups_equal_the_per_ticket_figures_summed(database: Database, clock: FakeClock) -> None:
    ids = busy_week(database, clock)
    table = rollup_table(database)
    by_key: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (dim, key, _hour), values in table.items():
        for name, value in values.items():
            by_key[(dim, key)][name] += value
    # the "all" row against the metrics rows added up by hand
    rows = [metrics_of(database, i) for i in ids]
    everything = by_key[("all", "")]
    assert everything["created"] == len(ids) == 6
    assert everything["solved"] == sum(r.status == "solved" for r in rows) == 3
    assert everything["frt_count"] == sum(r.first_reply_seconds is not None for r in rows) == 6
    assert everything["frt_sum"] == sum(r.first_reply_seconds or 0 for r in rows)
    assert everything["frt_bsum"] == sum(r.first_reply_business or 0 for r in rows)
    assert everything["res_sum"] == sum(r.resolution_seconds or 0 for r in rows)
    assert everything["replies"] == sum(r.replies for r in rows if r.status == "solved")
    assert (everything["csat_good"], everything["csat_bad"]) == (2, 1)
    assert everything["one_touch"] == 3
    # per dimension: the handler's rollups are the tickets' contributions summed
    assert {k: dict(v) for k, v in by_key.items()} == summed_from_tickets(database)
    assert by_key[("tag", "refund")]["created"] == 3
    assert by_key[("channel", "web")]["created"] == 3
    assert sum(by_key[("all", "")][f"frt_h{i}"] for i in range(16)) == 6


def test_the_handler_is_idempotent(database: Database, clock: FakeClock) -> None:
    busy_week(database, clock)
    metrics, rollups = metrics_table(database), rollup_table(database)
    with database.unit_of_work(actor=Actor.system()) as session:
        events = list(session.scalars(select(Event).order_by(Event.id)))
        follow_tickets(session, events)  # every event delivered again, all at once
        for event in reversed(events):  # and again, one by one, newest first
            follow_tickets(session, [event])
    after = metrics_table(database)
    assert {
        (t, k): (v, after[t][k]) for t in metrics for k, v in metrics[t].items() if after[t][k] != v
    } == {}
    assert rollup_table(database) == rollups


def test_a_late_event_counts_at_its_own_time(database: Database, clock: FakeClock) -> None:
    ann = agent(database, "ann@example.com")
    clock.at(2, 9)
    ticket = customer_writes(database)
    run_handlers(database)
    # the solve is handled first; the reply, written earlier, arrives after it
    clock.at(2, 11)
    change(database, ticket, status="solved")
    run_handlers(database)
    clock.at(2, 10)
    agent_replies(database, ann, ticket)
    run_handlers(database)
    m = metrics_of(database, ticket)
    assert (m.first_reply_seconds, m.resolution_seconds, m.one_touch) == (3600, 7200, True)
    assert (m.agent_work_seconds, m.requester_wait_seconds) == (7200, 7200)
    # and the rollups moved with it: one first reply, in the 10:00 hour
    table = rollup_table(database)
    frt = {k: v for k, v in table.items() if k[0] == "all" and "frt_count" in v}
    assert [(rollup.hour_of(clock.now), v["frt_sum"]) for v in frt.values()] == [
        (k[2], 3600) for k in frt
    ]


def test_rebuild_reproduces_what_the_handler_kept(database: Database, clock: FakeClock) -> None:
    busy_week(database, clock)
    with database.unit_of_work(actor=Actor.system()) as session:
        service.set_intent(session, 1, "pre_sale")
    metrics, rollups = metrics_table(database), rollup_table(database)
    assert any(k[0] == "intent" for k in rollups)
    with database.unit_of_work(actor=Actor.system()) as session:
        session.execute(TicketMetrics.__table__.update().values(replies=99))  # damage
    assert service.rebuild(database, batch_size=2) == 6
    assert metrics_table(database) == metrics
    assert rollup_table(database) == rollups


def test_every_summed_measure_has_a_rollup_column() -> None:
    assert set(SUMS) <= {c.name for c in rollup.rollups.columns}
