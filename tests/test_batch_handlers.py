"""The ticket handlers that run as batches (SLA clocks, automation clocks, triggers,
assignment) come to the same tickets as when each event is handled alone, keep a failing
event's writes out, and change nothing when their events are delivered again."""

import shutil
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from kefu.ai.models import PendingAnalysis
from kefu.automation.assignment.models import AssignmentWait
from kefu.automation.rules.models import RuleRun, TicketClock
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.events import Event, EventDelivery, registry
from kefu.kit.clock import utcnow
from kefu.runtime import open_database
from kefu.sla import clocks as sla_clocks
from kefu.sla import jobs as sla_jobs
from kefu.sla.models import SlaClock
from kefu.tickets import service as tickets
from kefu.tickets.models import Message, Ticket
from tests.automation.assign_factories import make_team
from tests.automation.rule_factories import make_rule
from tests.conftest import POSTGRES_URL, WORKER
from tests.postgres import scratch_database
from tests.sla.factories import agent_actor, make_policy, reply, targets, update
from tests.tickets.factories import receive

BATCHED = ("sla.clocks", "automation.track_clocks", "automation.run_triggers")
BATCHED += ("assignment.assign_ticket", "ai.queue_messages")


@pytest.fixture
def twin(backend: str, _template: str, tmp_path: Path) -> Iterator[Database]:
    """A second fresh database beside `database`, for the same story handled another way."""
    if backend == "sqlite":
        path = tmp_path / "twin.db"
        shutil.copyfile(_template, path)
        db = open_database(f"sqlite:///{path}")
        yield db
        db.dispose()
        return
    assert POSTGRES_URL
    name = f"kefu_twin_{WORKER}_{uuid.uuid4().hex[:8]}"
    with scratch_database(POSTGRES_URL, name, template=_template) as url:
        db = open_database(url)
        yield db
        db.dispose()


def configure(database: Database) -> None:
    """A typical shop: an SLA policy, a round-robin team and a few triggers."""
    make_policy(
        database,
        hours="calendar",
        targets=targets(first_reply=60, next_reply=120, resolution=480, periodic_update=240),
    )
    team_id, _ = make_team(database, members=2)
    make_rule(
        database,
        name="Email to the team",
        events=["ticket.created"],
        all=[{"field": "channel", "op": "is", "value": "email"}],
        actions=[{"type": "assign", "team_id": team_id}],
    )
    make_rule(
        database,
        name="Urgent",
        events=["ticket.created"],
        all=[{"field": "subject", "op": "contains", "value": "urgent"}],
        actions=[{"type": "set_priority", "priority": "urgent"}],
    )
    tag_refunds(database)


def tag_refunds(database: Database) -> None:
    """A trigger tagging the messages that ask for a refund."""
    make_rule(
        database,
        name="Refunds",
        events=["message.added"],
        all=[{"field": "message.text", "op": "contains", "value": "refund"}],
        actions=[{"type": "add_tags", "tags": ["refund"]}],
    )


def story(database: Database, dispatch: Any) -> None:
    """Customers write (some twice), an agent answers, tickets wait, are solved, reopen."""
    opening(database)
    dispatch(database)
    follow_up(database)
    dispatch(database)


def opening(database: Database) -> None:
    first = receive(database, email="ann@example.com", subject="Where is my order?").ticket_id
    receive(database, email="bob@example.com", subject="urgent: wrong size")
    receive(database, email="cy@example.com", subject="Refund please")
    receive(database, email="ann@example.com", text="Any news? I want a refund.", ticket_id=first)
    receive(database, email="dee@example.com", subject="Broken lid", channel="chat")


def follow_up(database: Database) -> None:
    first, second, third = ticket_ids(database)[:3]
    reply(database, ticket_id=first, actor=agent_actor(database, email="zed@shop.example"))
    update(database, ticket_id=second, status="pending")
    update(database, ticket_id=third, status="solved")
    receive(database, email="cy@example.com", text="Still no refund.", ticket_id=third)
    receive(database, email="bob@example.com", text="Here is the photo.", ticket_id=second)


def ticket_ids(database: Database) -> list[int]:
    with database.sessions() as session:
        return list(session.scalars(select(Ticket.id).order_by(Ticket.id)))


def one_by_one(database: Database) -> None:
    while dispatch_due(database, batch=1, max_batches=10_000).ran:
        pass


def in_batches(database: Database) -> None:
    while dispatch_due(database, batch=500).ran:
        pass


def snapshot(database: Database) -> dict[str, Any]:
    """What the handlers decide, without the moments (the two runs happen at other times)."""
    with database.sessions() as session:
        rows = session.scalars(select(Ticket).order_by(Ticket.id)).all()
        ids = [t.id for t in rows]
        tags = tickets.tags_of(session, ids)
        clocks = session.scalars(select(SlaClock).order_by(SlaClock.ticket_id, SlaClock.metric))
        running = {
            (c.ticket_id, c.metric): round((c.due_at - c.started_at).total_seconds() / 60)
            if c.due_at
            else None
            for c in clocks
            if c.status == "running"
        }
        return {
            "tickets": [
                (t.id, t.status, t.priority, t.team_id, t.assignee_id, tags[t.id]) for t in rows
            ],
            "sla_due": [t.sla_due_at is None for t in rows],
            "clocks": [
                (c.ticket_id, c.metric, c.status, c.policy_id, c.target_seconds)
                for c in session.scalars(select(SlaClock).order_by(SlaClock.id))
            ],
            "running": running,
            "runs": sorted(
                (r.rule_id, r.ticket_id, r.outcome) for r in session.scalars(select(RuleRun))
            ),
            "ticket_clocks": [
                (c.ticket_id, c.pending_since is None, c.last_customer_message_at is None)
                for c in session.scalars(select(TicketClock).order_by(TicketClock.ticket_id))
            ],
            "waits": [(w.ticket_id, w.team_id) for w in session.scalars(select(AssignmentWait))],
            "ai_queue": [  # customer messages waiting for kefu.ai's reading job, once each
                (p.ticket_id, p.message_id)
                for p in session.scalars(
                    select(PendingAnalysis).order_by(PendingAnalysis.message_id)
                )
            ],
            "messages": session.execute(
                select(Message.ticket_id, Message.kind, Message.author_type, func.count())
                .group_by(Message.ticket_id, Message.kind, Message.author_type)
                .order_by(Message.ticket_id, Message.kind, Message.author_type)
            ).all(),
            "undone": session.scalar(select(func.count()).where(EventDelivery.status != "done")),
        }


@pytest.mark.usefixtures("runtime")
def test_batches_come_to_what_one_event_at_a_time_does(database: Database, twin: Database) -> None:
    # given the same shop and the same story
    configure(database)
    configure(twin)
    # when one database handles every event alone and the other in batches
    story(database, one_by_one)
    story(twin, in_batches)
    # then the tickets, clocks, rule runs and waits are the same
    alone, batched = snapshot(database), snapshot(twin)
    assert batched == alone
    # and the story did what the shop set up: the team's tickets assigned round robin, the
    # urgent one re-targeted, refunds tagged, the solved one reopened with its clock
    assert [row[3] is not None for row in alone["tickets"]] == [True, True, True, False]
    assert [row[4] is not None for row in alone["tickets"]] == [True, True, True, False]
    assert [row[2] for row in alone["tickets"]] == ["normal", "urgent", "normal", "normal"]
    assert [row[5] for row in alone["tickets"]] == [["refund"], [], ["refund"], []]
    assert [row[1] for row in alone["tickets"]] == ["open", "open", "open", "new"]
    assert alone["undone"] == 0
    assert len(alone["ai_queue"]) == 7  # every customer message, queued once for reading


@pytest.mark.usefixtures("runtime")
def test_handling_a_batch_again_changes_nothing(database: Database) -> None:
    # given a shop whose events were all handled in batches
    configure(database)
    opening(database)
    in_batches(database)
    with database.sessions() as session:
        handled = session.scalar(select(func.max(Event.id)))
    follow_up(database)
    in_batches(database)
    before = snapshot(database)
    # when each batch handler gets the last batch's events again, then each of them alone
    with database.unit_of_work() as session:
        events = list(session.scalars(select(Event).where(Event.id > handled).order_by(Event.id)))
        for name in BATCHED:
            spec = registry.get(name)
            assert spec is not None and spec.batch
            mine = [event for event in events if event.type in spec.event_types]
            spec.fn(session, mine)
            for event in mine:
                spec.fn(session, [event])
    # then nothing changed
    assert snapshot(database) == before


def test_a_failing_event_keeps_its_writes_out_and_the_others_go_through(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given two new tickets, following the SLA clocks of the second failing after its writes
    make_policy(database, hours="calendar")
    first = receive(database, email="ann@example.com").ticket_id
    second = receive(database, email="bob@example.com").ticket_id
    follow = sla_jobs.follow_ticket

    def failing(session: Any, event: Event, batch: Any = None) -> None:
        follow(session, event, batch)
        if event.subject_id == str(second):
            raise RuntimeError("clock store unavailable")

    monkeypatch.setattr(sla_jobs, "follow_ticket", failing)
    # when the batch is dispatched
    report = dispatch_due(database, batch=500)
    # then only the second ticket's events wait for their retry, and it has no clocks
    assert report.errors == ["RuntimeError: clock store unavailable"] * 2
    with database.sessions() as session:
        by_ticket = dict(
            session.execute(
                select(SlaClock.ticket_id, func.count()).group_by(SlaClock.ticket_id)
            ).all()
        )
        pending = session.execute(
            select(Event.subject_id, Event.type, EventDelivery.handler)
            .join(EventDelivery, EventDelivery.event_id == Event.id)
            .where(EventDelivery.status == "pending")
        ).all()
    assert by_ticket == {first: 2}
    assert sorted(pending) == [
        (str(second), "message.added", "sla.clocks"),
        (str(second), "ticket.created", "sla.clocks"),
    ]
    # and once the cause is gone, the retry starts its clocks
    monkeypatch.setattr(sla_jobs, "follow_ticket", follow)
    dispatch_due(database, batch=500, clock=lambda: utcnow() + timedelta(hours=1))
    with database.sessions() as session:
        assert len(sla_clocks.clocks_of(session, second)) == 2
