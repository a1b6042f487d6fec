"""Time-based automations: tickets found by their times in SQL, each acted on once per rule,
again only after leaving the conditions; the hourly job takes its "now" from the clock."""

from datetime import timedelta

from sqlalchemy import select

from kefu.automation.rules.automations import run_automation
from kefu.automation.rules.models import AutomationMark, Rule
from kefu.db import Database
from kefu.kit.clock import utcnow
from kefu.runtime import Runtime
from kefu.tickets import service as tickets
from kefu.tickets.aging import TimeBound, aging_ticket_ids
from tests.automation.rule_factories import make_rule, run_rule_handlers, runs, tags, update
from tests.tickets.factories import make_ticket, receive

PENDING_72H = [
    {"field": "status", "op": "is", "value": "pending"},
    {"field": "hours_since.pending", "op": "greater_than", "value": 72},
]


def _run(database: Database, rule_id: int, hours: float) -> dict[str, int]:
    with database.unit_of_work() as session:
        rule = session.get_one(Rule, rule_id)
        return run_automation(session, rule, now=utcnow() + timedelta(hours=hours))


def _status(database: Database, ticket_id: int) -> str:
    with database.sessions() as session:
        return tickets.get_ticket(session, ticket_id).status


def test_pending_72_hours_acts_once_and_again_after_the_ticket_came_back(
    database: Database,
) -> None:
    # given an automation "pending 72 h -> tag reminded" and a pending ticket
    rule = make_rule(
        database,
        kind="automation",
        name="Remind",
        all=PENDING_72H,
        actions=[{"type": "add_tags", "tags": ["reminded"]}],
    )
    first = receive(database, text="Hi")
    update(database, first.ticket_id, status="pending")
    run_rule_handlers(database)
    # when the hour passes at 71 h, then at 73 h and 74 h
    assert _run(database, rule.id, 71)["acted"] == 0
    assert _run(database, rule.id, 73) == {"acted": 1, "failed": 0, "rearmed": 0}
    assert _run(database, rule.id, 74)["acted"] == 0
    assert tags(database, first.ticket_id) == ["reminded"]
    # the customer answers (open), the ticket leaves the conditions: the rule re-arms
    receive(database, text="Here you go", ticket_id=first.ticket_id)
    run_rule_handlers(database)
    assert _run(database, rule.id, 75)["rearmed"] == 1
    update(database, first.ticket_id, status="pending")
    run_rule_handlers(database)
    assert _run(database, rule.id, 71)["acted"] == 0  # pending again, counted afresh
    assert _run(database, rule.id, 76)["acted"] == 1
    assert [r[2] for r in runs(database)] == ["fired", "fired"]


def test_the_classic_solve_and_close_automations(database: Database) -> None:
    solve = make_rule(
        database,
        kind="automation",
        name="Solve",
        all=[
            {"field": "status", "op": "is", "value": "pending"},
            {"field": "hours_since.pending", "op": "greater_than", "value": 168},
        ],
        actions=[{"type": "set_status", "status": "solved"}],
    )
    close = make_rule(
        database,
        kind="automation",
        name="Close",
        all=[
            {"field": "status", "op": "is", "value": "solved"},
            {"field": "hours_since.solved", "op": "greater_than", "value": 96},
        ],
        actions=[{"type": "set_status", "status": "closed"}],
    )
    ticket = make_ticket(database)
    update(database, ticket.id, status="pending")
    run_rule_handlers(database)
    assert _run(database, solve.id, 169)["acted"] == 1
    assert _status(database, ticket.id) == "solved"
    # solved_at is the real time of the change: four days after it, the ticket closes
    assert _run(database, close.id, 95)["acted"] == 0
    assert _run(database, close.id, 97)["acted"] == 1
    assert _status(database, ticket.id) == "closed"
    assert _run(database, close.id, 200) == {"acted": 0, "failed": 0, "rearmed": 1}


def test_candidates_are_found_by_their_times_in_sql(database: Database) -> None:
    old = make_ticket(database, subject="old")
    make_ticket(database, subject="new")
    with database.sessions() as session:
        cutoff = tickets.get_ticket(session, old.id).created_at + timedelta(microseconds=1)
        found = aging_ticket_ids(session, bounds=[TimeBound("created", before=cutoff)])
        assert found == [old.id]
        assert aging_ticket_ids(session, statuses=["pending"]) == []


def test_the_hourly_job_uses_the_clock_and_each_rule_marks_its_tickets(
    database: Database, runtime: Runtime
) -> None:
    from kefu.automation.rules.jobs import run_automations

    rule = make_rule(
        database,
        kind="automation",
        all=[{"field": "hours_since.created", "op": "greater_than", "value": 1}],
        actions=[{"type": "set_priority", "priority": "high"}],
    )
    ticket = make_ticket(database)
    later = (utcnow() + timedelta(hours=2)).isoformat()
    assert run_automations(now=later) == {rule.id: {"acted": 1, "failed": 0, "rearmed": 0}}
    assert run_automations(now=later) == {rule.id: {"acted": 0, "failed": 0, "rearmed": 0}}
    with database.sessions() as session:
        marks = session.scalars(select(AutomationMark.ticket_id)).all()
        assert marks == [ticket.id]
        assert tickets.get_ticket(session, ticket.id).priority == "high"
