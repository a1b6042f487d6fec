"""Assignment JSON API under /api/v1: agents' status and teams' assignment settings."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from kefu.accounts import service as accounts
from kefu.api.routing import NOT_FOUND, api_router
from kefu.automation.assignment import service
from kefu.automation.assignment.schemas import (
    AgentStatusIn,
    AgentStatusRead,
    AgentStatusValue,
    TeamAssignmentIn,
    TeamAssignmentRead,
)
from kefu.kit.bounds import INT4_MAX
from kefu.permissions import require
from kefu.web.deps import ApiActor, DbSession

router = api_router("assignment")
AgentId = Annotated[int, Path(ge=1, le=INT4_MAX, description="the agent's id", examples=[1])]
TeamId = Annotated[int, Path(ge=1, le=INT4_MAX, description="the team's id", examples=[1])]


@router.get("/agents/statuses", response_model=list[AgentStatusRead])
def list_agent_statuses(session: DbSession, actor: ApiActor) -> list[AgentStatusRead]:
    """Every active agent's status: online agents get new team tickets."""
    agents = accounts.list_agents(session, actor=actor, include_inactive=False)
    statuses = service.statuses_of(session, [a.id for a in agents])
    return [AgentStatusRead(agent_id=a.id, status=AgentStatusValue(statuses[a.id])) for a in agents]


@router.put("/agents/{agent_id}/status", response_model=AgentStatusRead, responses=NOT_FOUND)
def set_agent_status(
    agent_id: AgentId, data: AgentStatusIn, session: DbSession, actor: ApiActor
) -> AgentStatusRead:
    """Set your own status, or (with "teams.manage") another agent's. Going online lets the
    tickets waiting in your teams' queues through."""
    row = service.set_status(session, actor=actor, agent_id=agent_id, status=data.status)
    return AgentStatusRead(agent_id=row.agent_id, status=AgentStatusValue(row.status))


@router.get("/teams/{team_id}/assignment", response_model=TeamAssignmentRead, responses=NOT_FOUND)
def get_team_assignment(team_id: TeamId, session: DbSession, actor: ApiActor) -> TeamAssignmentRead:
    require(actor, "tickets.read")
    accounts.get_team(session, team_id)
    return service.team_settings(session, team_id)


@router.put("/teams/{team_id}/assignment", response_model=TeamAssignmentRead, responses=NOT_FOUND)
def set_team_assignment(
    team_id: TeamId, data: TeamAssignmentIn, session: DbSession, actor: ApiActor
) -> TeamAssignmentRead:
    """The team's method (manual | round_robin | least_loaded | skills), default capacity
    (most open tickets per agent; null = no limit) and members' own capacities (null
    removes one)."""
    return service.update_team_assignment(session, actor=actor, team_id=team_id, data=data)
