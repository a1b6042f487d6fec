"""The demo store's AI set-up: a Tier 2 team and the trigger "intent = cancel_order and
sentiment = negative → priority high, team Tier 2" (the demo inbox labels its tickets'
intents as agents would)."""

from collections.abc import Callable
from typing import Any

from kefu.accounts import service as accounts
from kefu.accounts.schemas import TeamCreate
from kefu.automation.rules.service import RuleIn, create_rule
from kefu.db import Database
from kefu.demo import DemoStep
from kefu.kit.actor import Actor

TIER_2 = "Tier 2"
ANGRY_CANCELLATION = "Angry cancellation → high priority, Tier 2"


def angry_cancellation(team_id: int) -> RuleIn:
    return RuleIn(
        kind="trigger",
        name=ANGRY_CANCELLATION,
        is_active=True,
        events=["message.analysed"],
        conditions={
            "all": [
                {"field": "ai.intent", "op": "is", "value": "cancel_order"},
                {"field": "ai.sentiment", "op": "is", "value": "negative"},
            ],
            "any": [],
        },
        actions=[
            {"type": "set_priority", "priority": "high"},
            {"type": "assign", "team_id": team_id},
        ],
    )


def set_up(session: Any, actor: Actor) -> int:
    """The Tier 2 team (made if missing) and the trigger; returns the team's id."""
    teams = {t.name: t.id for t in accounts.list_teams(session, actor=actor)}
    team_id = teams.get(TIER_2)
    if team_id is None:
        description = "Escalations: angry customers, cancellations, threats"
        team = accounts.create_team(
            session, actor=actor, data=TeamCreate(name=TIER_2, description=description)
        )
        team_id = team.id
    create_rule(session, actor=actor, data=angry_cancellation(team_id))
    return team_id


def run(database: Database, scale: int, advance: Callable[[int], None]) -> int:
    system = Actor.system()
    with database.unit_of_work(actor=system) as session:
        set_up(session, system)
    advance(2)
    return 2


STEP = DemoStep(name="ai", run=run, size=lambda scale: 2)
