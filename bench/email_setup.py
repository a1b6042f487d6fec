"""The shop configurations the email ingest benchmark runs its handlers under: none at all
(a fresh install) and a typical one (business hours, an SLA policy, a round-robin team, a
handful of triggers), made through the services as an admin would."""

from __future__ import annotations

from kefu.accounts import service as accounts
from kefu.accounts.schemas import AgentCreate, TeamCreate
from kefu.automation.assignment import service as assignment
from kefu.automation.assignment.schemas import AgentStatusValue, Method, TeamAssignmentIn
from kefu.automation.rules.service import RuleIn, create_rule
from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.sla import business_hours, policies
from kefu.sla.schemas import PolicyIn, ScheduleIn

SYSTEM = Actor.system()
PRIORITIES = ("low", "normal", "high", "urgent")
AGENTS = 4
CONFIGURATIONS = ("empty", "typical")
DESCRIPTION = (
    "*typical*: a default schedule (weekdays 9–18, Asia/Shanghai), an SLA policy in business "
    "hours (first reply 4 h, next reply 8 h, resolution 48 h, warned 30 min before), a team of "
    f"{AGENTS} online agents assigned round robin, and 5 active triggers (route email to the "
    "team, tag refund requests in English and Chinese, raise VIP and urgent-subject tickets, "
    "tag reopened tickets)"
)


def _minutes(value: int) -> dict[str, int]:
    return dict.fromkeys(PRIORITIES, value)


def configure(database: Database, name: str) -> None:
    """Set the database up as configuration `name` ("empty" leaves it as installed)."""
    if name == "empty":
        return
    assert name == "typical", name
    with database.unit_of_work(actor=SYSTEM) as session:
        business_hours.create_schedule(
            session,
            actor=SYSTEM,
            data=ScheduleIn(
                name="Shanghai office",
                time_zone="Asia/Shanghai",
                is_default=True,
                intervals=[{"weekday": day, "start": "09:00", "end": "18:00"} for day in range(5)],
            ),
        )
        targets = {"first_reply": 240, "next_reply": 480, "resolution": 2880}
        policies.create_policy(
            session,
            actor=SYSTEM,
            data=PolicyIn(
                name="Standard",
                hours="business",
                targets={metric: _minutes(value) for metric, value in targets.items()},
                warn_minutes=30,
            ),
        )
        team = accounts.create_team(session, actor=SYSTEM, data=TeamCreate(name="Support"))
        agent_ids = []
        for number in range(AGENTS):
            agent = accounts.create_agent(
                session,
                actor=SYSTEM,
                data=AgentCreate(email=f"agent{number}@shop.example", name=f"Agent {number}"),
            )
            accounts.add_team_member(session, actor=SYSTEM, team_id=team.id, agent_id=agent.id)
            agent_ids.append(agent.id)
        assignment.update_team_assignment(
            session,
            actor=SYSTEM,
            team_id=team.id,
            data=TeamAssignmentIn(method=Method.ROUND_ROBIN),
        )
        for agent_id in agent_ids:
            assignment.set_status(
                session, actor=SYSTEM, agent_id=agent_id, status=AgentStatusValue.ONLINE
            )
        for rule in _triggers(team.id):
            create_rule(session, actor=SYSTEM, data=rule)


def _triggers(team_id: int) -> list[RuleIn]:
    def trigger(
        name: str, event: str, actions: list[dict[str, object]], **groups: object
    ) -> RuleIn:
        conditions = {"all": groups.get("all", []), "any": groups.get("any", [])}
        return RuleIn(
            kind="trigger",
            name=name,
            is_active=True,
            events=[event],
            conditions=conditions,
            actions=actions,
        )

    def tag(name: str) -> list[dict[str, object]]:
        return [{"type": "add_tags", "tags": [name]}]

    def text(value: str) -> dict[str, str]:
        return {"field": "message.text", "op": "contains", "value": value}

    return [
        trigger(
            "Email to Support",
            "ticket.created",
            [{"type": "assign", "team_id": team_id}],
            all=[{"field": "channel", "op": "is", "value": "email"}],
        ),
        trigger("Refunds", "message.added", tag("refund"), any=[text("refund"), text("退款")]),
        trigger(
            "VIP first",
            "ticket.created",
            [{"type": "set_priority", "priority": "high"}],
            all=[{"field": "customer.is_vip", "op": "is", "value": True}],
        ),
        trigger(
            "Urgent subject",
            "ticket.created",
            [{"type": "set_priority", "priority": "urgent"}],
            all=[{"field": "subject", "op": "contains", "value": "urgent"}],
        ),
        trigger(
            "Reopened",
            "ticket.status_changed",
            tag("reopened"),
            all=[{"field": "status", "op": "changed_from", "value": "solved"}],
        ),
    ]
