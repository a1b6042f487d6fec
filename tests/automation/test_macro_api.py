"""The macros API: write, find, refuse broken ones with the reason, apply to a ticket."""

from typing import Any

from kefu.db import Database
from kefu.permissions import Role
from kefu.tickets import service as tickets
from tests.api.helpers import headers_for, problem
from tests.tickets.factories import make_ticket


def test_a_manager_writes_a_macro_and_an_agent_applies_it(client: Any, database: Database) -> None:
    # given
    manager = headers_for(database, Role.MANAGER)
    agent = headers_for(database, Role.AGENT)
    ticket = make_ticket(database)
    body = {
        "name": "Waiting on you",
        "folder": " Follow-up / Waiting ",
        "bodies": {"en": "Hi, any news on #{{ ticket.id }}?", "zh-CN": "您好，#{{ ticket.id }}"},
        "actions": [{"type": "set_status", "status": "pending"}],
    }
    # when
    created = client.post("/api/v1/macros", json=body, headers=manager)
    macro_id = created.json()["id"]
    listed = client.get("/api/v1/macros", params={"q": "news"}, headers=agent)
    preview = client.post(
        f"/api/v1/tickets/{ticket.id}/macros/{macro_id}/apply", json={}, headers=agent
    )
    applied = client.post(
        f"/api/v1/tickets/{ticket.id}/macros/{macro_id}/apply",
        json={"language": "zh-CN", "apply_actions": True},
        headers=agent,
    )
    # then
    assert created.status_code == 201, created.text
    assert created.json()["folder"] == "Follow-up/Waiting"
    assert created.json()["bodies"] == {
        "en": "Hi, any news on #{{ ticket.id }}?",
        "zh_Hans": "您好，#{{ ticket.id }}",
    }
    assert [m["id"] for m in listed.json()] == [macro_id]
    assert preview.json()["body_text"] == f"Hi, any news on #{ticket.id}?"
    assert preview.json()["actions_applied"] is False
    assert applied.json()["body_text"] == f"您好，#{ticket.id}"
    assert applied.json()["actions"] == [{"type": "set_status", "status": "pending"}]
    with database.unit_of_work() as session:
        assert tickets.get_ticket(session, ticket.id).status == "pending"
    assert client.get(f"/api/v1/macros/{macro_id}", headers=agent).json()["usage_count"] == 1


def test_a_broken_template_is_a_422_with_its_line(client: Any, database: Database) -> None:
    # given
    manager = headers_for(database, Role.MANAGER)
    body = {"name": "Broken", "bodies": {"en": "Hello\n{{ ''.__class__ }}"}}
    # when
    response = client.post("/api/v1/macros", json=body, headers=manager)
    # then
    detail = problem(response, 422, "invalid_input")["detail"]
    assert detail == "English text, line 2: '__class__' is not allowed"
    assert client.get("/api/v1/macros", headers=manager).json() == []


def test_an_agent_cannot_write_shared_macros_but_can_write_own(
    client: Any, database: Database
) -> None:
    # given
    agent = headers_for(database, Role.AGENT)
    # when
    shared = client.post("/api/v1/macros", json={"name": "S", "bodies": {"en": "x"}}, headers=agent)
    own = client.post(
        "/api/v1/macros",
        json={"name": "Mine", "bodies": {"en": "x"}, "personal": True},
        headers=agent,
    )
    # then
    problem(shared, 403, "permission_denied")
    assert own.status_code == 201
    macro_id = own.json()["id"]
    changed = client.patch(f"/api/v1/macros/{macro_id}", json={"name": "Mine 2"}, headers=agent)
    assert changed.json()["name"] == "Mine 2"
    assert client.delete(f"/api/v1/macros/{macro_id}", headers=agent).status_code == 204
    problem(client.get(f"/api/v1/macros/{macro_id}", headers=agent), 404, "not_found")
