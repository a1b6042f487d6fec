"""Metrics worked out before the write transaction (the handler's `prepare`) are written only
for tickets they still hold for; the others are worked out again in the transaction."""

from sqlalchemy import update

from kefu.analytics import service
from kefu.db import Database
from kefu.sla.models import SlaClock
from tests.analytics.metrics.factories import (
    FakeClock,
    agent,
    agent_replies,
    clock,
    customer_writes,
    run_handlers,
)
from tests.sla.factories import make_policy, targets

__all__ = ["clock"]


def test_precomputed_metrics_are_kept_only_while_they_hold(
    database: Database, clock: FakeClock
) -> None:
    # given three tickets, their metrics read and worked out in a reading session
    make_policy(database, targets=targets(first_reply=60, resolution=480))
    ann = agent(database, "ann@example.com", "Ann")
    clock.at(2, 9)
    quiet, answered, met = (customer_writes(database) for _ in range(3))
    run_handlers(database)
    ids = [quiet, answered, met]
    with database.reading() as session:
        ahead = service.precompute(session, ids)
    # when, after the reading, Ann answers one (an event about it) and another's first
    # reply clock is fulfilled without an event (as the sla handler of the same batch does)
    clock.at(2, 9, 30)
    agent_replies(database, ann, answered)
    with database.unit_of_work() as session:
        session.execute(
            update(SlaClock)
            .where(SlaClock.ticket_id == met, SlaClock.metric == "first_reply")
            .values(status="fulfilled")
        )
    with database.unit_of_work() as session:
        now = service.current_values(session, ids, ahead)
        fresh = service.computed(session, ids)
    # then what is used is what a reading now gives, and only the untouched ticket's
    # reading was taken as it was
    assert now == fresh
    assert now[quiet] is ahead.values[quiet]
    assert now[answered] != ahead.values[answered]
    assert now[met] != ahead.values[met]
