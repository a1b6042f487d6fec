"""Helpers for API tests: tokens per role, request shorthands, snapshots for "nothing changed"."""

from typing import Any

from kefu.accounts import auth, service
from kefu.accounts.schemas import AgentUpdate
from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.permissions import Role
from tests.accounts.factories import make_agent


def token_for(database: Database, agent: Any) -> dict[str, str]:
    with database.unit_of_work() as session:
        _token, raw = auth.create_api_token(session, actor=service.actor_for(agent), name="t")
    return {"Authorization": f"Bearer {raw}"}


def headers_for(database: Database, role: Role, *, email: str | None = None) -> dict[str, str]:
    """A token of a new agent with this role. Light agents may not create tokens: theirs is
    made while they are an agent, then they are moved to light agent (the token follows)."""
    address = email or f"{role.value}@example.com"
    light = role == Role.LIGHT_AGENT
    agent = make_agent(database, email=address, role=Role.AGENT if light else role, password=None)
    headers = token_for(database, agent)
    if light:
        with database.unit_of_work(actor=Actor.system()) as session:
            service.update_agent(
                session, actor=Actor.system(), agent_id=agent.id, data=AgentUpdate(role=role)
            )
    return headers


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """Assert a problem+json answer with this status and code; returns the body."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"] == "application/problem+json", response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["code"] == code, body
    assert body["detail"]
    return body
