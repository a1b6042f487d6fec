"""Bad rule definitions are refused with the reason and nothing is saved; conditions are
read with an explanation ("yes, because …" / "no: …")."""

from typing import Any

import pytest
from sqlalchemy import func, select

from kefu.automation.rules.conditions import check_pattern
from kefu.automation.rules.evaluate import evaluate
from kefu.automation.rules.facts import EventInfo, TicketFacts
from kefu.automation.rules.models import Rule
from kefu.automation.rules.service import RuleIn, create_rule
from kefu.db import Database
from kefu.errors import InvalidInput
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from tests.automation.rule_factories import make_vip
from tests.commerce.factories import make_order, make_store
from tests.tickets.factories import make_ticket, receive

TAG = [{"type": "add_tags", "tags": ["x"]}]


def _refused(database: Database, reason: str, **values: Any) -> None:
    data = RuleIn(
        **{"kind": "trigger", "name": "r", "events": ["ticket.updated"], "actions": TAG, **values}
    )
    with (
        database.unit_of_work(actor=Actor.system()) as session,
        pytest.raises(InvalidInput) as refused,
    ):
        create_rule(session, actor=Actor.system(), data=data)
    assert reason in str(refused.value)
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Rule)) == 0


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ({"field": "colour", "op": "is", "value": "red"}, "unknown field: colour"),
        ({"field": "tags", "op": "greater_than", "value": 3}, "unknown operator 'greater_than'"),
        ({"field": "priority", "op": "is", "value": "panic"}, "'panic' is not one of low"),
        ({"field": "order.total", "op": "greater_than", "value": "lots"}, "expected a number"),
        ({"field": "customer.is_vip", "op": "is", "value": "maybe"}, "expected true or false"),
        ({"field": "team", "op": "is", "value": 42}, "unknown team: 42"),
        ({"field": "assignee", "op": "in", "value": [99]}, "unknown agent: 99"),
        ({"field": "subject", "op": "matches", "value": "(refund"}, "malformed pattern"),
        ({"field": "subject", "op": "matches", "value": "(a+)+$"}, "repeats a repeated group"),
        ({"field": "subject", "op": "matches", "value": "a" * 201}, "longer than 200"),
        ({"field": "status", "op": "is"}, "a value is needed"),
        ({"field": "field.nope", "op": "is", "value": "1"}, "unknown field: field.nope"),
    ],
)
def test_a_wrong_condition_is_refused_with_its_reason(
    database: Database, condition: dict[str, Any], reason: str
) -> None:
    _refused(database, reason, conditions={"all": [condition]})


@pytest.mark.parametrize(
    ("actions", "reason"),
    [
        ([{"type": "explode"}], "action 1: unknown action: explode"),
        ([{"type": "add_note", "body": "Hi {{ ticket.subject"}], "template error"),
        ([{"type": "call_webhook", "webhook_id": 5}], "unknown webhook: 5"),
        ([{"type": "notify"}], "choose an agent or a team"),
        ([{"type": "notify", "agent_id": 77}], "unknown agent: 77"),
        ([{"type": "escalate", "team_id": 8}], "unknown team: 8"),
        ([{"type": "set_status", "status": "done"}], "action 1: ticket change"),
        ([], "at least one action"),
    ],
)
def test_a_wrong_action_is_refused_with_its_reason(
    database: Database, actions: list[dict[str, Any]], reason: str
) -> None:
    _refused(database, reason, actions=actions)


def test_triggers_need_events_and_automations_need_a_time_condition(database: Database) -> None:
    _refused(database, "at least one event", events=[])
    _refused(
        database,
        "needs a time condition",
        kind="automation",
        events=[],
        conditions={"all": [{"field": "status", "op": "is", "value": "pending"}]},
    )
    _refused(
        database,
        "only known when an event happens",
        kind="automation",
        events=[],
        conditions={
            "all": [
                {"field": "hours_since.created", "op": "greater_than", "value": 1},
                {"field": "message.text", "op": "contains", "value": "refund"},
            ]
        },
    )
    _refused(
        database,
        "changes are known only to triggers",
        kind="automation",
        events=[],
        conditions={
            "all": [
                {"field": "hours_since.created", "op": "greater_than", "value": 1},
                {"field": "status", "op": "changed"},
            ]
        },
    )


def test_a_safe_pattern_compiles() -> None:
    assert check_pattern(r"order\s*#?\d{4,}").search("my order #10045")


def test_the_explanation_says_why(database: Database) -> None:
    first = receive(database, text="I want a REFUND now")
    make_vip(database, first.customer_id)
    conditions = {
        "all": [
            {"field": "customer.is_vip", "op": "is", "value": True},
            {"field": "message.text", "op": "matches", "value": "refund"},
        ],
        "any": [
            {"field": "tags", "op": "contains", "value": "escalated"},
            {"field": "channel", "op": "is", "value": "email"},
        ],
    }
    with database.sessions() as session:
        from kefu.tickets.messages import list_messages

        message_id = list_messages(session, first.ticket_id)[0].id
        event = EventInfo(1, "message.added", {"message_id": message_id})
        verdict = evaluate(conditions, TicketFacts(session, first.ticket_id, utcnow(), event))
        assert verdict.fires
        assert verdict.explanation == (
            "yes, because Customer is VIP is yes and Text of the message matches the pattern "
            "refund and Channel is email"
        )
        no = evaluate(
            {"all": [{"field": "tags", "op": "contains", "value": "escalated"}]},
            TicketFacts(session, first.ticket_id, utcnow()),
        )
        assert not no.fires
        assert no.explanation == "no: Tags contains escalated is not so (it is nothing)"


def test_order_and_customer_fields_read_through_their_services(database: Database) -> None:
    ticket = make_ticket(database)
    with database.sessions() as session:
        facts = TicketFacts(session, ticket.id, utcnow())
        assert facts.value("order.status") is None
        assert facts.value("customer.email_domain") == "example.com"
        assert facts.value("customer.is_vip") is False
    # the customer's latest order, read through the commerce services
    make_order(database, store=make_store(database), number="1002")
    with database.sessions() as session:
        facts = TicketFacts(session, ticket.id, utcnow())
        assert facts.value("order.payment_status") == "paid"
        assert facts.value("order.total") == 73.0
        assert facts.value("order.tracking_status") is None


def test_within_business_hours_asks_the_sla_part(database: Database) -> None:
    ticket = make_ticket(database)
    condition = {"all": [{"field": "business_hours", "op": "is", "value": True}]}
    with database.sessions() as session:
        verdict = evaluate(condition, TicketFacts(session, ticket.id, utcnow()))
    # no schedule at all: always open
    assert verdict.explanation == "yes, because Within business hours is yes"
