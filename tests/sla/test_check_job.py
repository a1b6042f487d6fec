"""The minute job reports a warning, then a breach, each once, at the right minute."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.events import Event
from kefu.jobs import JOBS
from kefu.kit.clock import as_utc
from kefu.runtime import Runtime
from kefu.sla import checks
from kefu.sla.jobs import check_clocks
from tests.sla.factories import (
    agent_actor,
    clocks,
    make_policy,
    make_team,
    reply,
    targets,
    update,
)
from tests.tickets.factories import receive


def sla_events(database: Database) -> list[tuple[str, str, dict]]:
    with database.unit_of_work() as session:
        rows = session.scalars(
            select(Event).where(Event.type.like("sla.%")).order_by(Event.id)
        ).all()
        return [(e.type, e.subject_id, e.payload) for e in rows]


def test_the_job_runs_every_minute() -> None:
    assert JOBS["sla.check_clocks"].schedule == "* * * * *"


def test_warning_then_breach_once_each_at_the_right_minute(
    database: Database, runtime: Runtime
) -> None:
    # given first reply in 60 minutes, warned 10 minutes before
    policy = make_policy(
        database, hours="calendar", targets=targets(first_reply=60), warn_minutes=10
    )
    ticket_id = receive(database).ticket_id
    dispatch_due(database)
    due = as_utc(clocks(database, ticket_id)["first_reply"].due_at)
    expected = {
        "metric": "first_reply",
        "policy_id": policy.id,
        "due_at": due.isoformat(),
    }
    # when the job runs minute by minute (a controlled clock)
    assert check_clocks(now=due - timedelta(minutes=11)) == {"warned": 0, "breached": 0}
    assert check_clocks(now=due - timedelta(minutes=10)) == {"warned": 1, "breached": 0}
    assert check_clocks(now=due - timedelta(minutes=9)) == {"warned": 0, "breached": 0}
    assert check_clocks(now=due - timedelta(seconds=1)) == {"warned": 0, "breached": 0}
    assert check_clocks(now=due) == {"warned": 0, "breached": 1}
    assert check_clocks(now=due + timedelta(minutes=5)) == {"warned": 0, "breached": 0}
    # then each event once, about the ticket, with the contract's payload
    assert sla_events(database) == [
        ("sla.warning", str(ticket_id), expected),
        ("sla.breached", str(ticket_id), expected),
    ]
    clock = clocks(database, ticket_id)["first_reply"]
    assert as_utc(clock.breached_at) == due
    assert as_utc(clock.warned_at) == due - timedelta(minutes=10)


def test_the_job_takes_now_from_the_runtime_clock(database: Database, runtime: Runtime) -> None:
    make_policy(database, hours="calendar", targets=targets(first_reply=60))
    ticket_id = receive(database).ticket_id
    dispatch_due(database)
    due = as_utc(clocks(database, ticket_id)["first_reply"].due_at)
    runtime.clock = lambda: due + timedelta(seconds=30)
    assert check_clocks() == {"warned": 0, "breached": 1}


def test_a_met_or_paused_clock_is_never_reported(database: Database, runtime: Runtime) -> None:
    make_policy(database, hours="calendar", targets=targets(first_reply=60, resolution=60))
    ticket_id = receive(database).ticket_id
    dispatch_due(database)
    reply(database, ticket_id=ticket_id, actor=agent_actor(database))
    update(database, ticket_id=ticket_id, status="pending")
    dispatch_due(database)
    later = datetime.now(UTC) + timedelta(days=3)
    assert check_clocks(now=later) == {"warned": 0, "breached": 0}
    assert sla_events(database) == []


def test_a_breached_clock_is_shown_as_breached_then_missed(
    database: Database, runtime: Runtime
) -> None:
    make_policy(database, hours="calendar", targets=targets(first_reply=60))
    ticket_id = receive(database).ticket_id
    dispatch_due(database)
    due = as_utc(clocks(database, ticket_id)["first_reply"].due_at)
    with database.unit_of_work() as session:
        [state] = checks.clock_states(session, ticket_id=ticket_id, now=due - timedelta(minutes=23))
        assert (state.state, state.text) == ("soon", "First reply due in 23 minutes")
        [state] = checks.clock_states(session, ticket_id=ticket_id, now=due + timedelta(minutes=5))
        assert (state.state, state.text) == ("breached", "First reply breached 5 minutes ago")
    check_clocks(now=due + timedelta(minutes=5))
    reply(database, ticket_id=ticket_id, actor=agent_actor(database))
    dispatch_due(database)
    with database.unit_of_work() as session:
        [state] = checks.clock_states(session, ticket_id=ticket_id, now=due)
        assert (state.state, state.text) == ("missed", "First reply missed")


def test_a_new_target_is_reported_again_but_a_new_team_is_not(
    database: Database, runtime: Runtime
) -> None:
    # given a first-reply clock breached under "normal: 60"
    make_policy(
        database,
        hours="calendar",
        targets={"first_reply": {"normal": 60, "low": 60 * 24}},
    )
    ticket_id = receive(database).ticket_id
    dispatch_due(database)
    due = as_utc(clocks(database, ticket_id)["first_reply"].due_at)
    assert check_clocks(now=due) == {"warned": 0, "breached": 1}
    # when the ticket moves to a team (same target): nothing is reported again
    update(database, ticket_id=ticket_id, team_id=make_team(database))
    dispatch_due(database)
    assert check_clocks(now=due + timedelta(minutes=1)) == {"warned": 0, "breached": 0}
    # when its priority gets a longer target: the clock is no longer breached, and is
    # reported when the new target runs out
    update(database, ticket_id=ticket_id, priority="low")
    dispatch_due(database)
    clock = clocks(database, ticket_id)["first_reply"]
    assert clock.breached_at is None
    assert check_clocks(now=due + timedelta(minutes=1)) == {"warned": 0, "breached": 0}
    new_due = as_utc(clock.due_at)
    assert check_clocks(now=new_due) == {"warned": 0, "breached": 1}
