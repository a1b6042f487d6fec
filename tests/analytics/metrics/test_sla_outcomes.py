"""`analytics.sla_outcomes`: a ticket whose stored SLA outcomes no longer match its clocks
(its metrics were worked out before the sla handler met a target) is recomputed; the
others are left as they are."""

from sqlalchemy import update

from kefu.analytics.jobs import follow_sla
from kefu.analytics.models import TicketMetrics
from kefu.db import Database
from kefu.events import Event
from kefu.kit.actor import Actor
from tests.analytics.metrics.factories import (
    FakeClock,
    agent,
    agent_replies,
    clock,
    customer_writes,
    metrics_of,
    run_handlers,
)
from tests.sla.factories import make_policy, targets

__all__ = ["clock"]


def _touched(database: Database, *ticket_ids: int) -> None:
    events = [
        Event(type="message.added", subject_type="ticket", subject_id=str(i), payload={})
        for i in ticket_ids
    ]
    with database.unit_of_work(actor=Actor.system()) as session:
        follow_sla(session, events)


def test_stale_sla_outcomes_are_recomputed_and_current_ones_kept(
    database: Database, clock: FakeClock
) -> None:
    # given two tickets whose first replies were in time, their metrics up to date
    make_policy(database, hours="calendar", targets=targets(first_reply=60, resolution=480))
    ann = agent(database, "ann@example.com", "Ann")
    clock.at(2, 9)
    stale, current = customer_writes(database), customer_writes(database)
    clock.at(2, 9, 30)
    agent_replies(database, ann, stale)
    agent_replies(database, ann, current)
    run_handlers(database)
    assert metrics_of(database, stale).sla == {"first_reply": "achieved"}
    # when one's stored outcomes miss the met target (worked out before it was met), and
    # the other's row is marked so that a recompute would show
    with database.unit_of_work(actor=Actor.system()) as session:
        session.execute(
            update(TicketMetrics).where(TicketMetrics.ticket_id == stale).values(sla={})
        )
        session.execute(
            update(TicketMetrics).where(TicketMetrics.ticket_id == current).values(replies=99)
        )
    _touched(database, stale, current)
    # then only the stale one is recomputed
    assert metrics_of(database, stale).sla == {"first_reply": "achieved"}
    assert metrics_of(database, stale).replies == 1
    assert metrics_of(database, current).replies == 99
