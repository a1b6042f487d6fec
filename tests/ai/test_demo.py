"""The demo's AI part: the Tier 2 team and the angry-cancellation trigger, and the intents its
inbox stories are labelled with (every one a default intent)."""

from sqlalchemy import select

from kefu.accounts import service as accounts
from kefu.ai.taxonomy import DEFAULT_INTENTS
from kefu.automation.rules.models import Rule
from kefu.db import Database
from kefu.demo import ai as demo_ai
from kefu.demo import steps
from kefu.demo.inbox_content import STORIES_EN, STORIES_ZH, STORY_INTENTS
from kefu.kit.actor import Actor


def test_the_demo_step_makes_tier_2_and_its_trigger(database: Database) -> None:
    assert demo_ai.run(database, 1, lambda _: None) == 2
    with database.sessions() as session:
        teams = {t.name: t.id for t in accounts.list_teams(session, actor=Actor.system())}
        rule = session.scalars(select(Rule).where(Rule.name == demo_ai.ANGRY_CANCELLATION)).one()
    assert rule.is_active and rule.events == ["message.analysed"]
    assert rule.conditions["all"] == [
        {"field": "ai.intent", "op": "is", "value": "cancel_order"},
        {"field": "ai.sentiment", "op": "is", "value": "negative"},
    ]
    assert rule.actions == [
        {"type": "set_priority", "priority": "high"},
        {"type": "assign", "team_id": teams["Tier 2"], "agent_id": None, "unassign": False},
    ]
    names = [step.name for step in steps()]
    assert names.index("ai") > names.index("procedures") > names.index("inbox")


def test_every_demo_story_is_labelled_with_a_default_intent() -> None:
    keys = {intent.id for intent in DEFAULT_INTENTS}
    assert {story.subject for story in STORIES_EN + STORIES_ZH} == set(STORY_INTENTS)
    assert set(STORY_INTENTS.values()) <= keys
