"""Helpers for API tests: tokens per role, request shorthands, snapshots for "nothing changed"."""

from typing import Any

from kefu.accounts import auth, service
from kefu.db import Database
from kefu.permissions import Role
from tests.accounts.factories import make_agent


def token_for(database: Database, agent: Any) -> dict[str, str]:
    with database.unit_of_work() as session:
        _token, raw = auth.create_api_token(session, actor=service.actor_for(agent), name="t")
    return {"Authorization": f"Bearer {raw}"}


def headers_for(database: Database, role: Role, *, email: str | None = None) -> dict[str, str]:
    """A token of a new agent with this role."""
    agent = make_agent(database, email=email or f"{role.value}@example.com", role=role)
    return token_for(database, agent)


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    """Assert a problem+json answer with this status and code; returns the body."""
    assert response.status_code == status, (response.status_code, response.text)
    assert response.headers["content-type"] == "application/problem+json", response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["code"] == code, body
    assert body["detail"]
    return body
