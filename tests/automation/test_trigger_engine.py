"""Triggers on events: in order, conditions read with their reasons, actions applied as the
trigger's actor, and the loop guard."""

from sqlalchemy import func, select

from kefu.automation.rules.models import TriggerChain
from kefu.db import Database
from kefu.events import Event
from kefu.kit.actor import Actor
from kefu.tickets import service as tickets
from kefu.tickets.fields import create_field
from kefu.tickets.schemas import CustomFieldCreate
from tests.automation.rule_factories import (
    make_rule,
    make_team,
    make_vip,
    run_rule_handlers,
    runs,
    tags,
    update,
)
from tests.tickets.factories import make_ticket, receive


def test_vip_urgent_customer_message_is_assigned_to_tier_2_and_tagged(database: Database) -> None:
    # given a trigger "VIP + urgent -> Tier 2, tag escalated" and a VIP's urgent ticket
    tier2 = make_team(database)
    rule = make_rule(
        database,
        events=["message.added"],
        all=[
            {"field": "customer.is_vip", "op": "is", "value": True},
            {"field": "priority", "op": "is", "value": "urgent"},
        ],
        actions=[
            {"type": "assign", "team_id": tier2},
            {"type": "add_tags", "tags": ["escalated"]},
        ],
    )
    first = receive(database, text="Hello")
    run_rule_handlers(database)
    assert runs(database) == []
    make_vip(database, first.customer_id)
    update(database, first.ticket_id, priority="urgent")
    # when the customer writes again
    receive(database, text="Still nothing?", ticket_id=first.ticket_id)
    run_rule_handlers(database)
    # then
    with database.sessions() as session:
        assert tickets.get_ticket(session, first.ticket_id).team_id == tier2
    assert tags(database, first.ticket_id) == ["escalated"]
    assert runs(database) == [(rule.id, first.ticket_id, "fired")]


def test_two_ping_pong_triggers_stop_after_one_round(database: Database) -> None:
    # given A: high -> low and B: low -> high, both on ticket.updated
    a = make_rule(
        database,
        name="A",
        all=[{"field": "priority", "op": "is", "value": "high"}],
        actions=[{"type": "set_priority", "priority": "low"}],
    )
    b = make_rule(
        database,
        name="B",
        all=[{"field": "priority", "op": "is", "value": "low"}],
        actions=[{"type": "set_priority", "priority": "high"}],
    )
    ticket = make_ticket(database)
    run_rule_handlers(database)
    # when an agent sets the priority to high
    update(database, ticket.id, priority="high")
    run_rule_handlers(database)
    # then A fired once, B once, and it ends where B left it
    assert runs(database) == [(a.id, ticket.id, "fired"), (b.id, ticket.id, "fired")]
    with database.sessions() as session:
        assert tickets.get_ticket(session, ticket.id).priority == "high"


def test_a_trigger_never_fires_on_its_own_change(database: Database) -> None:
    # given a trigger that changes what it tests
    rule = make_rule(
        database,
        all=[{"field": "tags", "op": "not_contains", "value": "seen-9"}],
        actions=[{"type": "add_tags", "tags": ["seen-1"]}],
    )
    ticket = make_ticket(database)
    # when a person changes the ticket twice
    update(database, ticket.id, priority="high")
    run_rule_handlers(database)
    update(database, ticket.id, priority="low")
    run_rule_handlers(database)
    # then it fired once per person's change, never on its own
    assert runs(database) == [(rule.id, ticket.id, "fired"), (rule.id, ticket.id, "fired")]


def test_triggers_run_in_order_and_the_later_sees_the_earlier(database: Database) -> None:
    first = make_rule(
        database,
        name="first",
        all=[{"field": "priority", "op": "changed_to", "value": "urgent"}],
        actions=[{"type": "add_tags", "tags": ["hot"]}],
    )
    second = make_rule(
        database,
        name="second",
        all=[{"field": "tags", "op": "contains", "value": "hot"}],
        actions=[{"type": "add_tags", "tags": ["paged"]}],
    )
    ticket = make_ticket(database)
    update(database, ticket.id, priority="urgent")
    run_rule_handlers(database)
    assert tags(database, ticket.id) == ["hot", "paged"]
    assert [r[0] for r in runs(database)] == [first.id, second.id]


def test_a_failing_trigger_is_logged_and_the_next_still_runs(database: Database) -> None:
    # given a trigger that sets a closed ticket's status (refused) and another one
    bad = make_rule(
        database,
        name="bad",
        events=["ticket.updated"],
        all=[{"field": "status", "op": "is", "value": "closed"}],
        actions=[{"type": "set_status", "status": "open"}],
    )
    ticket = make_ticket(database)
    update(database, ticket.id, status="closed")
    run_rule_handlers(database)
    assert runs(database) == [(bad.id, ticket.id, "failed")]


def test_inactive_triggers_and_other_events_do_nothing(database: Database) -> None:
    make_rule(database, is_active=False)
    make_rule(database, events=["sla.breached"])
    ticket = make_ticket(database)
    update(database, ticket.id, priority="high", actor=Actor.system())
    run_rule_handlers(database)
    assert runs(database) == []


def test_a_batchs_trigger_events_keep_their_order_and_their_loop_guard(
    database: Database,
) -> None:
    # given A, which only changes the ticket (its events are kept for the batch's end), C,
    # which would solve it without the field a solved ticket needs (refused), and B, which
    # also writes a note (its events written as it runs)
    with database.unit_of_work() as session:
        reason = CustomFieldCreate(
            key="reason", label="Reason", field_type="text", is_required_on_solve=True
        )
        create_field(session, actor=Actor.system(), data=reason)
    a = make_rule(database, name="A", actions=[{"type": "add_tags", "tags": ["a"]}])
    c = make_rule(
        database,
        name="C",
        actions=[{"type": "add_tags", "tags": ["c"]}, {"type": "set_status", "status": "solved"}],
    )
    b = make_rule(
        database,
        name="B",
        actions=[{"type": "add_tags", "tags": ["b"]}, {"type": "add_note", "body": "Seen."}],
    )
    first, second = make_ticket(database), make_ticket(database)
    with database.sessions() as session:
        since = session.scalar(select(func.max(Event.id)))
    # when a person changes both tickets and the triggers run
    update(database, first.id, priority="high")
    update(database, second.id, priority="low")
    run_rule_handlers(database)
    # then each ticket's events are in the order the triggers acted, nothing of C's
    with database.sessions() as session:
        events = session.scalars(select(Event).where(Event.id > since).order_by(Event.id)).all()
        chains = {row.event_id: row.rule_ids for row in session.scalars(select(TriggerChain))}
    for ticket in (first, second):
        mine = [e for e in events if e.subject_id == str(ticket.id)]
        assert [(e.type, e.actor) for e in mine[:-1]] + [mine[-1].type] == [
            ("ticket.updated", Actor.system().ref),
            ("ticket.updated", f"job:trigger:{a.id}"),
            ("rule.fired", f"job:trigger:{a.id}"),
            ("ticket.updated", f"job:trigger:{b.id}"),
            ("rule.fired", f"job:trigger:{b.id}"),
            "message.added",  # B's note
        ]
        # and every event the triggers caused names both, so neither runs on them
        assert [chains.get(e.id) for e in mine] == [None] + [sorted([a.id, b.id])] * 5
        assert tags(database, ticket.id) == ["a", "b"]
    outcomes = {(rule_id, outcome) for rule_id, _, outcome in runs(database)}
    assert outcomes == {(a.id, "fired"), (b.id, "fired"), (c.id, "failed")}
    assert [r[:2] for r in runs(database) if r[0] != c.id] == [
        (a.id, first.id),
        (b.id, first.id),
        (a.id, second.id),
        (b.id, second.id),
    ]
