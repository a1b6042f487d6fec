"""The issue's trigger, end to end on a demo message: "intent = cancel_order and sentiment =
negative → priority high, team Tier 2" (the demo's own rule), and its conditions refused
when wrong."""

import pytest

from kefu.automation.rules.service import RuleIn, create_rule
from kefu.db import Database
from kefu.demo import ai as demo_ai
from kefu.errors import InvalidInput
from kefu.kit.actor import Actor
from kefu.tickets import service as tickets
from tests.ai.factories import settle
from tests.tickets.factories import receive


def _ticket(database: Database, ticket_id: int):  # type: ignore[no-untyped-def]
    with database.sessions() as session:
        return tickets.get_ticket(session, ticket_id)


@pytest.mark.usefixtures("runtime")
def test_an_angry_cancellation_goes_to_tier_2_with_high_priority(database: Database) -> None:
    # given the demo's Tier 2 team and its trigger
    with database.unit_of_work(actor=Actor.system()) as session:
        tier_2 = demo_ai.set_up(session, Actor.system())
    # when an angry customer asks to cancel, and a calm one asks where the parcel is
    angry = receive(
        database, email="ann@example.com", subject="Cancel my order",
        text="Cancel my order right now. This is ridiculous, I have waited two weeks!",
    ).ticket_id  # fmt: skip
    calm = receive(
        database, email="bob@example.com", subject="Parcel",
        text="Hi, could you tell me where my parcel is? Thanks a lot.",
    ).ticket_id  # fmt: skip
    assert settle(database) == 2
    # then the angry cancellation is high priority in Tier 2, read as such
    first, second = _ticket(database, angry), _ticket(database, calm)
    assert (first.ai_intent, first.ai_sentiment) == ("cancel_order", "negative")
    assert (first.priority, first.team_id) == ("high", tier_2)
    # and the calm question is left alone
    assert second.ai_intent != "cancel_order" and second.ai_sentiment != "negative"
    assert (second.priority, second.team_id) == ("normal", None)


@pytest.mark.parametrize(
    ("condition", "reason"),
    [
        ({"field": "ai.intent", "op": "is", "value": "cancel"}, "is not one of"),
        ({"field": "ai.sentiment", "op": "is", "value": "angry"}, "is not one of"),
        ({"field": "ai.urgency", "op": "contains", "value": "high"}, "unknown operator"),
    ],
)
def test_a_wrong_ai_condition_is_refused(
    database: Database, condition: dict[str, str], reason: str
) -> None:
    data = RuleIn(
        kind="trigger", name="x", events=["message.analysed"],
        conditions={"all": [condition], "any": []},
        actions=[{"type": "set_priority", "priority": "high"}],
    )  # fmt: skip
    with pytest.raises(InvalidInput, match=reason), database.unit_of_work() as session:
        create_rule(session, actor=Actor.system(), data=data)
