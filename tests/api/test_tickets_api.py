"""Tickets over the API: list, create, read, change, delete and restore, and every refusal."""

from typing import Any

from kefu.db import Database
from kefu.kit.bounds import INT8_MAX
from tests.api.helpers import problem

NEW = {"subject": "Where is order 1001?", "requester": {"email": "emily@example.com"}}


def create(client: Any, headers: dict[str, str], **values: Any) -> dict[str, Any]:
    response = client.post("/api/v1/tickets", headers=headers, json={**NEW, **values})
    assert response.status_code == 201, response.text
    return dict(response.json())


def ticket_ids(client: Any, headers: dict[str, str], **params: Any) -> list[int]:
    response = client.get("/api/v1/tickets", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_agent_creates_a_ticket_with_a_first_reply(client: Any, agent: dict[str, str]) -> None:
    # when
    created = create(
        client, agent, message={"body_text": "We are on it."}, tags=["Shipping"], priority="high"
    )
    # then
    assert created["subject"] == "Where is order 1001?"
    assert created["status"] == "open" and created["priority"] == "high"
    assert created["tags"] == ["shipping"] and created["message_count"] == 1
    read = client.get(f"/api/v1/tickets/{created['id']}", headers=agent).json()
    assert read == created
    customer = client.get(f"/api/v1/customers/{created['requester_id']}", headers=agent).json()
    assert customer["identities"][0]["value"] == "emily@example.com"


def test_create_refusals_write_nothing(client: Any, agent: dict[str, str], light: Any) -> None:
    # when: no requester, an unknown assignee, a light agent, a ticket born closed
    missing = client.post("/api/v1/tickets", headers=agent, json={"subject": "x"})
    unknown = client.post("/api/v1/tickets", headers=agent, json={**NEW, "assignee_id": 999})
    refused = client.post("/api/v1/tickets", headers=light, json=NEW)
    closed = client.post("/api/v1/tickets", headers=agent, json={**NEW, "status": "closed"})
    too_long = client.post("/api/v1/tickets", headers=agent, json={**NEW, "subject": "x" * 501})
    # then
    assert problem(missing, 422, "invalid_input")["errors"][0]["loc"] == ["body", "requester"]
    assert "agent 999" in problem(unknown, 404, "not_found")["detail"]
    problem(refused, 403, "permission_denied")
    assert "closed" in problem(closed, 422, "invalid_input")["detail"]
    problem(too_long, 422, "invalid_input")
    assert ticket_ids(client, agent) == []
    assert client.get("/api/v1/customers", headers=agent).json()["items"] == []


def test_read_refusals(client: Any, agent: dict[str, str]) -> None:
    problem(client.get("/api/v1/tickets/404", headers=agent), 404, "not_found")
    problem(client.get(f"/api/v1/tickets/{INT8_MAX + 1}", headers=agent), 422, "invalid_input")
    problem(client.get("/api/v1/tickets/0", headers=agent), 422, "invalid_input")
    problem(client.get("/api/v1/tickets/abc", headers=agent), 422, "invalid_input")
    problem(client.get("/api/v1/tickets/1"), 401, "not_authenticated")


def test_patch_changes_only_what_is_sent(client: Any, agent: dict[str, str]) -> None:
    # given
    ticket = create(client, agent, tags=["vip"], priority="high")
    # when
    response = client.patch(
        f"/api/v1/tickets/{ticket['id']}",
        headers=agent,
        json={"status": "pending", "add_tags": ["refund"], "type": "question"},
    )
    # then
    changed = response.json()
    assert response.status_code == 200
    assert changed["status"] == "pending" and changed["type"] == "question"
    assert changed["tags"] == ["refund", "vip"] and changed["priority"] == "high"


def test_patch_refusals_change_nothing(client: Any, agent: dict[str, str], light: Any) -> None:
    # given
    ticket = create(client, agent)
    url = f"/api/v1/tickets/{ticket['id']}"
    before = client.get(url, headers=agent).json()
    # when / then
    problem(client.patch(url, headers=agent, json={"status": "stuck"}), 422, "invalid_input")
    problem(client.patch(url, headers=agent, json={"team_id": 77}), 404, "not_found")
    problem(client.patch(url, headers=agent, json={"fields": {"nope": 1}}), 422, "invalid_input")
    problem(client.patch(url, headers=light, json={"priority": "low"}), 403, "permission_denied")
    problem(client.patch("/api/v1/tickets/999", headers=agent, json={}), 404, "not_found")
    assert client.get(url, headers=agent).json() == before


def test_closed_ticket_cannot_change(client: Any, agent: dict[str, str]) -> None:
    # given
    ticket = create(client, agent, status="solved")
    url = f"/api/v1/tickets/{ticket['id']}"
    assert client.patch(url, headers=agent, json={"status": "closed"}).status_code == 200
    # when
    refused = client.patch(url, headers=agent, json={"subject": "Again"})
    # then
    assert "closed" in problem(refused, 409, "conflict")["detail"]
    assert client.get(url, headers=agent).json()["subject"] == NEW["subject"]


def test_only_admins_delete_and_restore(client: Any, agent: Any, admin: Any) -> None:
    # given
    ticket = create(client, agent)
    url = f"/api/v1/tickets/{ticket['id']}"
    # when: an agent tries
    problem(client.delete(url, headers=agent), 403, "permission_denied")
    problem(client.post(f"{url}/restore", headers=agent), 403, "permission_denied")
    # then: nothing changed
    assert client.get(url, headers=agent).json()["deleted_at"] is None
    # when: an admin deletes
    deleted = client.delete(url, headers=admin)
    # then: hidden from agents and lists, in the admins' Deleted view
    assert deleted.status_code == 200 and deleted.json()["deleted_at"] is not None
    problem(client.get(url, headers=agent), 404, "not_found")
    assert ticket_ids(client, agent) == []
    assert ticket_ids(client, admin, view="deleted") == [ticket["id"]]
    problem(client.delete(url, headers=admin), 404, "not_found")
    # when: restored
    restored = client.post(f"{url}/restore", headers=admin)
    # then
    assert restored.status_code == 200 and restored.json()["deleted_at"] is None
    assert problem(client.post(f"{url}/restore", headers=admin), 409, "conflict")
    assert ticket_ids(client, agent) == [ticket["id"]]


def test_list_filters_and_views(client: Any, agent: dict[str, str], database: Database) -> None:
    # given
    urgent = create(client, agent, priority="urgent", tags=["vip"])
    pending = create(client, agent, status="pending")
    other = create(client, agent, requester={"email": "noah@example.com"})
    # then
    assert ticket_ids(client, agent, priority="urgent") == [urgent["id"]]
    assert ticket_ids(client, agent, status=["pending"]) == [pending["id"]]
    assert ticket_ids(client, agent, tag="vip") == [urgent["id"]]
    assert ticket_ids(client, agent, requester_id=other["requester_id"]) == [other["id"]]
    assert ticket_ids(client, agent, assignee="none", status="pending") == [pending["id"]]
    assert ticket_ids(client, agent, view="pending") == [pending["id"]]
    assert ticket_ids(client, agent, sort="created_asc") == [
        urgent["id"],
        pending["id"],
        other["id"],
    ]


def test_list_pages_by_cursor(client: Any, agent: dict[str, str]) -> None:
    # given
    ids = [create(client, agent)["id"] for _ in range(3)]
    # when
    first = client.get("/api/v1/tickets", headers=agent, params={"limit": 2}).json()
    rest = client.get(
        "/api/v1/tickets", headers=agent, params={"limit": 2, "cursor": first["next_cursor"]}
    ).json()
    # then
    assert [t["id"] for t in first["items"] + rest["items"]] == ids[::-1]
    assert rest["next_cursor"] is None


def test_list_refusals(client: Any, agent: dict[str, str]) -> None:
    def get(**params: Any) -> Any:
        return client.get("/api/v1/tickets", headers=agent, params=params)

    problem(get(cursor="not-a-cursor"), 422, "invalid_input")
    problem(get(view="all_open", status="open"), 422, "invalid_input")
    problem(get(view="nope"), 404, "not_found")
    problem(get(view="999"), 404, "not_found")
    problem(get(view="deleted"), 403, "permission_denied")
    problem(get(view="Bad View"), 422, "invalid_input")
    problem(get(status="stuck"), 422, "invalid_input")
    problem(get(assignee="someone"), 422, "invalid_input")
    problem(get(limit=0), 422, "invalid_input")
    problem(get(limit=201), 422, "invalid_input")
    problem(get(sort="random"), 422, "invalid_input")
    problem(get(tag=" "), 422, "invalid_input")
    problem(get(q="!!!"), 422, "invalid_input")
