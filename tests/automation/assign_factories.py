"""Assignment test data: a team with members, their status, skills and the team's method."""

from typing import Any

from kefu.accounts import service as accounts
from kefu.accounts.schemas import TeamCreate
from kefu.automation.assignment import service
from kefu.automation.assignment.schemas import AgentStatusValue, Method, TeamAssignmentIn
from kefu.db import Database
from kefu.kit.actor import Actor
from tests.accounts.factories import make_agent

SYSTEM = Actor.system()


def make_team(
    database: Database,
    *,
    name: str = "Tier 2",
    members: int = 3,
    method: Method = Method.ROUND_ROBIN,
    online: int | None = None,
    default_capacity: int | None = None,
) -> tuple[int, list[int]]:
    """A team and its members (the first `online` of them online, all by default)."""
    agents = [
        make_agent(database, email=f"{name.lower().replace(' ', '')}{n}@example.com", name=f"A{n}")
        for n in range(members)
    ]
    with database.unit_of_work(actor=SYSTEM) as session:
        team = accounts.create_team(session, actor=SYSTEM, data=TeamCreate(name=name))
        for agent in agents:
            accounts.add_team_member(session, actor=SYSTEM, team_id=team.id, agent_id=agent.id)
        service.update_team_assignment(
            session,
            actor=SYSTEM,
            team_id=team.id,
            data=TeamAssignmentIn(method=method, default_capacity=default_capacity),
        )
        team_id = team.id
    ids = [a.id for a in agents]
    for agent_id in ids[: members if online is None else online]:
        set_status(database, agent_id, AgentStatusValue.ONLINE)
    return team_id, ids


def set_status(database: Database, agent_id: int, status: AgentStatusValue) -> None:
    with database.unit_of_work(actor=SYSTEM) as session:
        service.set_status(session, actor=SYSTEM, agent_id=agent_id, status=status)


def give_skills(database: Database, agent_id: int, *names: str) -> None:
    with database.unit_of_work(actor=SYSTEM) as session:
        for name in names:
            skill = accounts.ensure_skill(session, actor=SYSTEM, name=name)
            accounts.set_agent_skill(session, actor=SYSTEM, agent_id=agent_id, skill_id=skill.id)


def configure(database: Database, team_id: int, **values: Any) -> None:
    with database.unit_of_work(actor=SYSTEM) as session:
        service.update_team_assignment(
            session, actor=SYSTEM, team_id=team_id, data=TeamAssignmentIn(**values)
        )
