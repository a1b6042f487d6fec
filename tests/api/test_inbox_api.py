"""The inbox over the API: views with counts, saved views, search, tags and custom fields."""

from typing import Any

from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.permissions import Role
from tests.api.helpers import headers_for, problem
from tests.tickets.factories import receive

Headers = dict[str, str]
VIEW = {"name": "VIP refunds", "filters": {"tags_all": ["vip"]}, "sort": "created_desc"}


def test_tags_with_counts(client: Any, agent: Headers, admin: Headers) -> None:
    # given
    for tags in (["vip", "refund"], ["vip"], ["spam"]):
        body = {"subject": "x", "requester": {"email": "a@example.com"}, "tags": tags}
        client.post("/api/v1/tickets", headers=agent, json=body)
    spam = client.get("/api/v1/tickets", headers=agent, params={"tag": "spam"}).json()
    client.delete(f"/api/v1/tickets/{spam['items'][0]['id']}", headers=admin)
    # when
    tags = client.get("/api/v1/tags", headers=agent).json()
    # then: deleted tickets do not count
    assert tags == [
        {"name": "vip", "ticket_count": 2},
        {"name": "refund", "ticket_count": 1},
        {"name": "spam", "ticket_count": 0},
    ]


def test_admin_manages_custom_fields(client: Any, admin: Headers, agent: Headers) -> None:
    # when
    created = client.post(
        "/api/v1/custom-fields",
        headers=admin,
        json={"key": "order_id", "label": "Order", "field_type": "text"},
    )
    field_id = created.json()["id"]
    changed = client.patch(
        f"/api/v1/custom-fields/{field_id}", headers=admin, json={"is_active": False}
    )
    # then
    assert created.status_code == 201 and changed.json()["is_active"] is False
    assert client.get("/api/v1/custom-fields", headers=agent).json() == []
    listed = client.get("/api/v1/custom-fields", headers=agent, params={"include_inactive": True})
    assert [f["key"] for f in listed.json()] == ["order_id"]


def test_custom_field_refusals_change_nothing(client: Any, admin: Headers, agent: Headers) -> None:
    # given
    field = {"key": "order_id", "label": "Order", "field_type": "text"}
    client.post("/api/v1/custom-fields", headers=admin, json=field)
    # when / then
    url = "/api/v1/custom-fields"
    problem(client.post(url, headers=admin, json=field), 409, "conflict")
    problem(
        client.post(url, headers=agent, json={**field, "key": "other"}), 403, "permission_denied"
    )
    dropdown = {**field, "key": "size", "field_type": "dropdown"}
    assert (
        "option"
        in problem(client.post(url, headers=admin, json=dropdown), 422, "invalid_input")["detail"]
    )
    problem(client.post(url, headers=admin, json={**field, "key": "Bad Key"}), 422, "invalid_input")
    problem(client.patch(f"{url}/99", headers=admin, json={"label": "x"}), 404, "not_found")
    problem(client.patch(f"{url}/1", headers=agent, json={"label": "x"}), 403, "permission_denied")
    problem(client.patch(f"{url}/1", headers=admin, json={"label": ""}), 422, "invalid_input")
    listed = client.get(url, headers=admin, params={"include_inactive": True}).json()
    assert [(f["key"], f["label"]) for f in listed] == [("order_id", "Order")]


def test_views_with_counts(client: Any, agent: Headers, database: Database) -> None:
    # given
    receive(database)
    client.post("/api/v1/views", headers=agent, json=VIEW)
    # when
    views = {v["id"]: v for v in client.get("/api/v1/views", headers=agent).json()}
    # then
    assert views["all_open"] == {
        "id": "all_open",
        "name": "All open",
        "kind": "built_in",
        "is_shared": True,
        "ticket_count": 1,
    }
    assert "deleted" not in views
    [saved] = [v for v in views.values() if v["kind"] == "saved"]
    assert saved["name"] == "VIP refunds" and saved["ticket_count"] == 0
    assert not saved["is_shared"]


def test_saved_view_lifecycle(client: Any, agent: Headers, database: Database) -> None:
    # given
    receive(database)
    client.post(
        "/api/v1/tickets",
        headers=agent,
        json={"subject": "VIP", "requester": {"email": "v@example.com"}, "tags": ["vip"]},
    )
    # when
    created = client.post("/api/v1/views", headers=agent, json=VIEW).json()
    url = f"/api/v1/views/{created['id']}"
    tickets = client.get(f"{url}/tickets", headers=agent).json()["items"]
    replaced = client.put(url, headers=agent, json={**VIEW, "name": "VIPs"}).json()
    deleted = client.delete(url, headers=agent)
    # then
    assert created["filters"]["tags_all"] == ["vip"] and created["sort"] == "created_desc"
    assert [t["subject"] for t in tickets] == ["VIP"]
    assert replaced["name"] == "VIPs" and replaced["id"] == created["id"]
    assert deleted.status_code == 204 and deleted.content == b""
    problem(client.get(url, headers=agent), 404, "not_found")


def test_saved_view_refusals_change_nothing(
    client: Any, agent: Headers, database: Database
) -> None:
    # given
    mine = client.post("/api/v1/views", headers=agent, json=VIEW).json()
    someone = headers_for(database, Role.AGENT, email="someone@example.com")
    url = "/api/v1/views"
    # when / then
    problem(client.post(url, headers=agent, json=VIEW), 409, "conflict")
    shared = {**VIEW, "name": "Team", "is_shared": True}
    problem(client.post(url, headers=agent, json=shared), 403, "permission_denied")
    problem(
        client.post(url, headers=agent, json={**VIEW, "filters": {"nope": 1}}), 422, "invalid_input"
    )
    unknown = {**VIEW, "name": "F", "filters": {"fields": [{"key": "x", "op": "set"}]}}
    problem(client.post(url, headers=agent, json=unknown), 422, "invalid_input")
    problem(client.get(f"{url}/{mine['id']}", headers=someone), 404, "not_found")
    problem(client.put(f"{url}/{mine['id']}", headers=someone, json=VIEW), 404, "not_found")
    problem(client.delete(f"{url}/{mine['id']}", headers=someone), 404, "not_found")
    problem(client.get(f"{url}/1000000000", headers=agent), 422, "invalid_input")
    problem(client.get(f"{url}/nope/tickets", headers=agent), 404, "not_found")
    problem(client.get(f"{url}/deleted/tickets", headers=agent), 403, "permission_denied")
    problem(
        client.get(f"{url}/all_open/tickets", headers=agent, params={"cursor": "x"}),
        422,
        "invalid_input",
    )
    assert client.get(f"{url}/{mine['id']}", headers=agent).json() == mine


def test_search_finds_words_from_messages(client: Any, agent: Headers, database: Database) -> None:
    # given
    wanted = receive(database, subject="Broken zipper", text="The zipper on my jacket broke")
    receive(database, email="noah@example.com", subject="Invoice", text="Please send it")
    dispatch_due(database)  # the search index is kept by an event handler
    # when
    found = client.get("/api/v1/search", headers=agent, params={"q": "zipper jacket"}).json()
    # then
    assert [t["id"] for t in found["items"]] == [wanted.ticket_id]
    assert found["next_cursor"] is None
    by_sender = client.get(
        "/api/v1/search", headers=agent, params={"q": "from:noah@example.com status:new"}
    ).json()
    assert [t["subject"] for t in by_sender["items"]] == ["Invoice"]
    problem(
        client.get("/api/v1/search", headers=agent, params={"q": "colour:red"}),
        422,
        "invalid_input",
    )
    problem(client.get("/api/v1/search", headers=agent), 422, "invalid_input")
    problem(client.get("/api/v1/search", headers=agent, params={"q": ""}), 422, "invalid_input")
    problem(
        client.get("/api/v1/search", headers=agent, params={"q": "x" * 501}), 422, "invalid_input"
    )
