"""Accounts JSON API under /api/v1."""

from fastapi import status

from kefu.accounts import auth, service
from kefu.accounts.schemas import (
    AgentCreate,
    AgentRead,
    AgentUpdate,
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenRead,
    TeamCreate,
    TeamRead,
)
from kefu.api.params import AgentId, TokenId
from kefu.api.routing import NOT_FOUND, answers_a_secret, api_router
from kefu.web.deps import ApiActor, DbSession

router = api_router("accounts")


@router.get("/me", response_model=AgentRead)
def me(session: DbSession, actor: ApiActor) -> AgentRead:
    assert actor.agent_id is not None
    return AgentRead.model_validate(service.get_agent(session, actor.agent_id))


@router.get("/agents", response_model=list[AgentRead])
def list_agents(session: DbSession, actor: ApiActor) -> list[AgentRead]:
    return [AgentRead.model_validate(a) for a in service.list_agents(session, actor=actor)]


@router.post("/agents", response_model=AgentRead, status_code=status.HTTP_201_CREATED)
def create_agent(data: AgentCreate, session: DbSession, actor: ApiActor) -> AgentRead:
    return AgentRead.model_validate(service.create_agent(session, actor=actor, data=data))


@router.patch("/agents/{agent_id}", response_model=AgentRead, responses=NOT_FOUND)
def update_agent(
    agent_id: AgentId, data: AgentUpdate, session: DbSession, actor: ApiActor
) -> AgentRead:
    agent = service.update_agent(session, actor=actor, agent_id=agent_id, data=data)
    return AgentRead.model_validate(agent)


@router.get("/teams", response_model=list[TeamRead])
def list_teams(session: DbSession, actor: ApiActor) -> list[TeamRead]:
    return [TeamRead.model_validate(t) for t in service.list_teams(session, actor=actor)]


@router.post("/teams", response_model=TeamRead, status_code=status.HTTP_201_CREATED)
def create_team(data: TeamCreate, session: DbSession, actor: ApiActor) -> TeamRead:
    return TeamRead.model_validate(service.create_team(session, actor=actor, data=data))


@router.get("/api-tokens", response_model=list[ApiTokenRead])
def list_tokens(session: DbSession, actor: ApiActor) -> list[ApiTokenRead]:
    return [ApiTokenRead.model_validate(t) for t in auth.list_api_tokens(session, actor=actor)]


@router.post("/api-tokens", response_model=ApiTokenCreated, status_code=status.HTTP_201_CREATED)
@answers_a_secret
def create_token(data: ApiTokenCreate, session: DbSession, actor: ApiActor) -> ApiTokenCreated:
    token, raw = auth.create_api_token(session, actor=actor, name=data.name)
    return ApiTokenCreated.model_validate(
        {**ApiTokenRead.model_validate(token).model_dump(), "token": raw}
    )


@router.delete("/api-tokens/{token_id}", response_model=ApiTokenRead, responses=NOT_FOUND)
def revoke_token(token_id: TokenId, session: DbSession, actor: ApiActor) -> ApiTokenRead:
    return ApiTokenRead.model_validate(
        auth.revoke_api_token(session, actor=actor, token_id=token_id)
    )
