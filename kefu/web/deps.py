"""Request dependencies: one unit of work per request, who is asking, CSRF."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from kefu.accounts.auth import actor_for_api_token, agent_for_session
from kefu.accounts.models import Agent
from kefu.accounts.schemas import AgentRead
from kefu.accounts.service import actor_for
from kefu.config import secret_key
from kefu.errors import NotAuthenticated
from kefu.kit.actor import Actor
from kefu.web import csrf

SESSION_COOKIE = "kefu_session"


class SignInRequired(NotAuthenticated):
    """A page needs a signed-in agent: pages answer with a redirect to /login."""


def db_session(request: Request) -> Iterator[Session]:
    """Commits when the route returns normally, rolls back when it raises.

    Function scope: the commit happens before the response leaves, so a client is never told
    "saved" about a write that then failed to commit."""
    with request.app.state.runtime.database.unit_of_work() as session:
        yield session


DbSession = Annotated[Session, Depends(db_session, scope="function")]


def _adopt(request: Request, session: Session, actor: Actor, agent: Agent | None) -> Actor:
    """Remember who asks; pages get a snapshot that outlives the session (error pages too)."""
    request.state.actor = actor
    request.state.agent = AgentRead.model_validate(agent) if agent is not None else None
    session.info["actor"] = actor
    return actor


def signed_in_agent(request: Request, session: DbSession) -> Agent | None:
    agent = agent_for_session(session, request.cookies.get(SESSION_COOKIE))
    if agent is not None:
        _adopt(request, session, actor_for(agent), agent)
    else:
        request.state.agent = None
    return agent


OptionalAgent = Annotated[Agent | None, Depends(signed_in_agent)]


def page_actor(request: Request, agent: OptionalAgent) -> Actor:
    if agent is None:
        raise SignInRequired("Please sign in.")
    return request.state.actor


PageActor = Annotated[Actor, Depends(page_actor)]


async def csrf_protected(request: Request) -> None:
    await csrf.verify(request, secret_key(request.app.state.runtime.settings))


async def api_csrf(request: Request) -> None:
    """Cookie-authenticated API calls (from kefu's own pages) must carry the CSRF header."""
    if not request.headers.get("authorization") and request.cookies.get(SESSION_COOKIE):
        await csrf.verify(request, secret_key(request.app.state.runtime.settings))


bearer_token = HTTPBearer(
    auto_error=False,
    scheme_name="apiToken",
    bearerFormat="kefu_…",
    description="An API token from *Account → API tokens*: `Authorization: Bearer kefu_…`",
)


def api_actor(
    request: Request,
    session: DbSession,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_token)],
    _csrf: None = Depends(api_csrf),
) -> Actor:
    """The token's agent, or the signed-in agent for calls from kefu's own pages.

    `bearer_token` only documents the scheme in OpenAPI; the header is read here so a
    malformed one is an `invalid_token` rather than "no token"."""
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, raw = authorization.partition(" ")
        actor = actor_for_api_token(session, raw.strip()) if scheme.lower() == "bearer" else None
        if actor is None:
            raise NotAuthenticated("invalid or revoked API token", code="invalid_token")
        return _adopt(request, session, actor, None)
    agent = signed_in_agent(request, session)
    if agent is None:
        raise NotAuthenticated("send an API token: Authorization: Bearer kefu_…")
    return request.state.actor


ApiActor = Annotated[Actor, Depends(api_actor)]
CsrfProtected = Depends(csrf_protected)
