"""Calls as trigger events: call.ended / call.missed / call.voicemail / call.logged with
conditions on the call (direction, outcome, duration, line, queue), acting on the call's
ticket, and never twice for a replayed webhook or a redelivered event."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from kefu.automation.rules.conditions import check_conditions
from kefu.db import Database
from kefu.errors import InvalidInput
from kefu.events import Event, EventDelivery
from kefu.tickets import service as tickets
from tests.automation.rule_factories import make_rule, make_team, run_rule_handlers, runs, tags
from tests.channels.phone.factories import (
    LINE_NUMBER,
    call_params,
    make_line,
    post_callback,
)

CALLER = "+447700900123"


def _ticket_of_call(database: Database) -> int:
    from kefu.channels.phone.models import Call

    with database.sessions() as session:
        return session.scalars(select(Call.ticket_id)).one()


def test_a_missed_call_in_business_hours_gets_high_priority_and_the_phone_team_once(
    client: Any, database: Database
) -> None:
    # given "missed inbound call during business hours -> priority high, team Phone"
    phone = make_team(database, name="Phone")
    rule = make_rule(
        database,
        name="Missed calls",
        events=["call.missed"],
        all=[
            {"field": "business_hours", "op": "is", "value": True},
            {"field": "event.call_direction", "op": "is", "value": "inbound"},
            {"field": "event.call_line", "op": "is", "value": LINE_NUMBER},
        ],
        actions=[
            {"type": "set_priority", "priority": "high"},
            {"type": "assign", "team_id": phone},
        ],
    )
    line = make_line(database)
    missed = call_params("CA" + "1" * 32, caller=CALLER, status="no-answer")
    # when the provider reports the missed call
    assert post_callback(client, line, "status", missed).status_code == 200
    run_rule_handlers(database)
    # then the call's ticket is high priority with the Phone team
    ticket_id = _ticket_of_call(database)
    with database.sessions() as session:
        ticket = tickets.get_ticket(session, ticket_id)
        assert (ticket.priority, ticket.team_id) == ("high", phone)
    assert runs(database) == [(rule.id, ticket_id, "fired")]
    # when the provider replays the same callback twice
    assert post_callback(client, line, "status", missed).status_code == 200
    assert post_callback(client, line, "status", missed).status_code == 200
    run_rule_handlers(database)
    # and the automation handler is handed the same event again (a redelivery)
    with database.unit_of_work() as session:
        session.execute(
            update(EventDelivery)
            .where(EventDelivery.handler == "automation.run_triggers")
            .values(status="pending")
        )
    run_rule_handlers(database)
    # then the trigger fired once
    assert runs(database) == [(rule.id, ticket_id, "fired")]
    with database.sessions() as session:
        ended = session.scalars(select(Event).where(Event.type == "call.ended")).all()
        assert [e.payload["ticket_id"] for e in ended] == [ticket_id]


def test_an_answered_call_is_not_missed_and_its_duration_is_read(
    client: Any, database: Database
) -> None:
    # given a trigger on missed calls and one on long calls
    missed = make_rule(
        database,
        name="Missed",
        events=["call.missed"],
        actions=[{"type": "add_tags", "tags": ["missed-call"]}],
    )
    long = make_rule(
        database,
        name="Long",
        events=["call.ended"],
        all=[
            {"field": "event.call_duration", "op": "greater_than", "value": 120},
            {"field": "event.call_outcome", "op": "is", "value": "answered"},
        ],
        actions=[{"type": "add_tags", "tags": ["long-call"]}],
    )
    line = make_line(database)
    # when a 187-second answered call ends
    answered = call_params("CA" + "2" * 32, caller=CALLER, status="completed", CallDuration="187")
    post_callback(client, line, "status", answered)
    run_rule_handlers(database)
    # then only the long-call trigger fired
    ticket_id = _ticket_of_call(database)
    assert tags(database, ticket_id) == ["long-call"]
    assert runs(database) == [(long.id, ticket_id, "fired")]
    assert missed.id not in [r[0] for r in runs(database)]


def test_a_short_call_does_not_match_a_longer_duration(client: Any, database: Database) -> None:
    make_rule(
        database,
        events=["call.ended"],
        all=[{"field": "event.call_duration", "op": "greater_than", "value": 120}],
        actions=[{"type": "add_tags", "tags": ["long-call"]}],
    )
    line = make_line(database)
    short = call_params("CA" + "3" * 32, caller=CALLER, status="completed", CallDuration="30")
    post_callback(client, line, "status", short)
    run_rule_handlers(database)
    assert tags(database, _ticket_of_call(database)) == []
    assert runs(database) == []


@pytest.mark.parametrize(
    ("condition", "kind", "reason"),
    [
        (
            {"field": "event.call_duration", "op": "greater_than", "value": 60},
            "automation",
            "only known when an event happens",
        ),
        (
            {"field": "event.call_disposition", "op": "is", "value": "angry"},
            "trigger",
            "is not one of",
        ),
        ({"field": "event.call_team", "op": "is", "value": 999_999}, "trigger", "unknown team"),
    ],
)
def test_call_conditions_are_checked(
    database: Database, condition: dict[str, Any], kind: str, reason: str
) -> None:
    with database.sessions() as session, pytest.raises(InvalidInput) as refused:
        check_conditions(session, {"all": [condition]}, kind=kind)
    assert reason in refused.value.message
