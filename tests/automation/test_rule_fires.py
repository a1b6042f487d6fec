"""The trigger engine asks only whether a rule's conditions hold: the same answer as the
explained verdict of the editor's test, without wording an explanation for every rule on
every event."""

from typing import Any

import pytest

from kefu.automation.rules import evaluate as evaluate_module
from kefu.automation.rules.evaluate import evaluate, fires
from kefu.automation.rules.facts import TicketFacts
from kefu.db import Database
from kefu.kit.clock import utcnow
from tests.automation.rule_factories import make_rule, make_vip, run_rule_handlers, runs, tags
from tests.tickets.factories import receive

CONDITIONS: list[dict[str, Any]] = [
    {},
    {"all": [{"field": "customer.is_vip", "op": "is", "value": True}]},
    {"all": [{"field": "channel", "op": "is", "value": "chat"}]},
    {"any": [{"field": "subject", "op": "contains", "value": "refund"}]},
    {
        "all": [{"field": "status", "op": "in", "value": ["new", "open"]}],
        "any": [
            {"field": "tags", "op": "contains", "value": "escalated"},
            {"field": "channel", "op": "is", "value": "email"},
        ],
    },
    {
        "all": [{"field": "priority", "op": "is", "value": "normal"}],
        "any": [{"field": "subject", "op": "contains", "value": "nothing like it"}],
    },
]


def test_fires_answers_as_the_explained_verdict(database: Database) -> None:
    first = receive(database, subject="Refund for order 7")
    make_vip(database, first.customer_id)
    with database.sessions() as session:
        for conditions in CONDITIONS:
            facts = TicketFacts(session, first.ticket_id, utcnow())
            again = TicketFacts(session, first.ticket_id, utcnow())
            assert fires(conditions, facts) == evaluate(conditions, again).fires, conditions


def test_the_engine_words_no_explanation(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a trigger that fires and one that does not, and a count of worded texts
    make_rule(
        database,
        name="tag refunds",
        events=["ticket.created"],
        all=[{"field": "subject", "op": "contains", "value": "refund"}],
        actions=[{"type": "add_tags", "tags": ["refund"]}],
    )
    make_rule(
        database,
        name="chat only",
        events=["ticket.created"],
        all=[{"field": "channel", "op": "is", "value": "chat"}],
        actions=[{"type": "add_tags", "tags": ["chat"]}],
    )
    worded: list[str] = []
    real = evaluate_module._

    def counted(text: str, **values: Any) -> str:
        worded.append(text)
        return real(text, **values)

    monkeypatch.setattr(evaluate_module, "_", counted)
    # when a ticket arrives and the triggers run
    ticket_id = receive(database, subject="A refund please").ticket_id
    run_rule_handlers(database)
    # then the first fired, the second did not, and no condition was put in words
    assert tags(database, ticket_id) == ["refund"]
    assert [outcome for *_, outcome in runs(database)] == ["fired"]
    assert worded == []
