"""/api/v1/rules: the editor's definitions as JSON, refused with a problem+json reason and
nothing saved, tested against a ticket without changing it."""

from typing import Any

import pytest
from sqlalchemy import func, select

from kefu.automation.rules.models import Rule
from kefu.db import Database
from kefu.permissions import Role
from tests.api.helpers import headers_for, problem
from tests.tickets.factories import make_ticket

TRIGGER = {
    "kind": "trigger",
    "name": "Urgent refunds",
    "events": ["message.added"],
    "conditions": {
        "all": [
            {"field": "priority", "op": "is", "value": "urgent"},
            {"field": "subject", "op": "contains", "value": "refund"},
        ]
    },
    "actions": [{"type": "add_tags", "tags": ["refund-urgent"]}],
}


@pytest.fixture
def admin(database: Database) -> dict[str, str]:
    return headers_for(database, Role.ADMIN)


@pytest.fixture
def agent(database: Database) -> dict[str, str]:
    return headers_for(database, Role.AGENT)


def _count(database: Database) -> int:
    with database.sessions() as session:
        return session.scalar(select(func.count()).select_from(Rule)) or 0


def test_create_list_test_and_delete_a_trigger(
    client: Any, database: Database, admin: dict[str, str]
) -> None:
    created = client.post("/api/v1/rules", json=TRIGGER, headers=admin)
    assert created.status_code == 201, created.text
    rule = created.json()
    assert rule["position"] == 1 and rule["is_active"] is False
    listed = client.get("/api/v1/rules?kind=trigger", headers=admin).json()
    assert [r["name"] for r in listed] == ["Urgent refunds"]
    ticket = make_ticket(database, priority="urgent")
    tested = client.post(
        f"/api/v1/rules/{rule['id']}/test", json={"ticket_id": ticket.id}, headers=admin
    ).json()
    assert tested["would_fire"] is True
    assert tested["explanation"].startswith("yes, because Priority is urgent")
    assert tested["actions"] == ["Add tags: refund-urgent"]
    assert client.delete(f"/api/v1/rules/{rule['id']}", headers=admin).status_code == 204
    assert _count(database) == 0


def test_a_bad_definition_is_a_422_problem_and_nothing_is_saved(
    client: Any, database: Database, admin: dict[str, str]
) -> None:
    bad = {**TRIGGER, "conditions": {"all": [{"field": "colour", "op": "is", "value": "red"}]}}
    body = problem(client.post("/api/v1/rules", json=bad, headers=admin), 422, "invalid_input")
    assert "unknown field: colour" in body["detail"]
    assert _count(database) == 0


def test_agents_may_not_manage_rules(client: Any, agent: dict[str, str]) -> None:
    problem(client.post("/api/v1/rules", json=TRIGGER, headers=agent), 403, "permission_denied")
