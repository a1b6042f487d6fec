"""Customers over the API: find, create, change, identities, merge, their tickets."""

from typing import Any

from kefu.db import Database
from tests.api.helpers import problem
from tests.tickets.factories import receive

Headers = dict[str, str]
EMILY = {"name": "Emily Chen", "emails": ["Emily@Example.com"], "phones": ["+44 20 7946 0958"]}


def create(client: Any, headers: Headers, **values: Any) -> dict[str, Any]:
    response = client.post("/api/v1/customers", headers=headers, json={**EMILY, **values})
    assert response.status_code == 201, response.text
    return dict(response.json())


def found(client: Any, headers: Headers, **params: Any) -> list[str]:
    response = client.get("/api/v1/customers", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return [c["name"] for c in response.json()["items"]]


def test_create_and_read_with_identities(client: Any, agent: Headers) -> None:
    # when
    emily = create(client, agent, tags=["VIP"], is_vip=True)
    # then
    assert emily["tags"] == ["vip"] and emily["is_vip"] is True
    assert [(i["kind"], i["value"], i["is_primary"]) for i in emily["identities"]] == [
        ("email", "emily@example.com", True),
        ("phone", "+442079460958", True),
    ]
    assert client.get(f"/api/v1/customers/{emily['id']}", headers=agent).json() == emily


def test_find_by_email_phone_or_text(client: Any, agent: Headers) -> None:
    # given
    create(client, agent)
    create(client, agent, name="Noah Patel", emails=["noah@shop.example"], phones=[])
    # then: spelled any way, exact addresses and numbers; part of a name or address
    assert found(client, agent, email="EMILY@example.com") == ["Emily Chen"]
    assert found(client, agent, phone="0044 20 7946 0958") == ["Emily Chen"]
    assert found(client, agent, q="pat") == ["Noah Patel"]
    assert found(client, agent, q="shop.ex") == ["Noah Patel"]
    assert found(client, agent, q="100%") == []
    assert found(client, agent) == ["Noah Patel", "Emily Chen"]
    first = client.get("/api/v1/customers", headers=agent, params={"limit": 1}).json()
    rest = client.get("/api/v1/customers", headers=agent, params={"cursor": first["next_cursor"]})
    assert [c["name"] for c in rest.json()["items"]] == ["Emily Chen"]


def test_list_refusals(client: Any, agent: Headers) -> None:
    def get(**params: Any) -> Any:
        return client.get("/api/v1/customers", headers=agent, params=params)

    problem(get(email="not an address"), 422, "invalid_input")
    problem(get(phone="12"), 422, "invalid_input")
    problem(get(cursor="abc"), 422, "invalid_input")
    problem(get(cursor="99999999999999999999"), 422, "invalid_input")
    problem(get(limit=500), 422, "invalid_input")
    problem(client.get("/api/v1/customers"), 401, "not_authenticated")


def test_create_refusals_write_nothing(client: Any, agent: Headers, light: Headers) -> None:
    # given
    create(client, agent)
    url = "/api/v1/customers"
    # when / then
    taken = client.post(url, headers=agent, json={"name": "Other", "emails": ["emily@example.com"]})
    assert "already belongs" in problem(taken, 409, "conflict")["detail"]
    problem(client.post(url, headers=light, json={"name": "L"}), 403, "permission_denied")
    problem(client.post(url, headers=agent, json={"emails": ["nope"]}), 422, "invalid_input")
    problem(client.post(url, headers=agent, json={"phones": ["12"]}), 422, "invalid_input")
    problem(client.post(url, headers=agent, json={"time_zone": "Mars/Base"}), 422, "invalid_input")
    problem(client.post(url, headers=agent, json={"name": "x" * 201}), 422, "invalid_input")
    problem(client.post(url, headers=agent, json={"tags": ["a" * 101]}), 422, "invalid_input")
    assert found(client, agent) == ["Emily Chen"]


def test_update_and_its_refusals(client: Any, agent: Headers, light: Headers) -> None:
    # given
    emily = create(client, agent)
    url = f"/api/v1/customers/{emily['id']}"
    # when
    changed = client.patch(
        url, headers=agent, json={"notes": "Prefers email", "language": "zh_Hans"}
    )
    # then
    assert changed.json()["notes"] == "Prefers email" and changed.json()["language"] == "zh_Hans"
    problem(client.patch(url, headers=light, json={"name": "X"}), 403, "permission_denied")
    problem(client.patch(url, headers=agent, json={"language": "tlh"}), 422, "invalid_input")
    problem(client.patch("/api/v1/customers/999", headers=agent, json={}), 404, "not_found")
    problem(client.get("/api/v1/customers/2147483648", headers=agent), 422, "invalid_input")
    assert client.get(url, headers=agent).json()["name"] == "Emily Chen"


def test_identities_added_and_removed(client: Any, agent: Headers) -> None:
    # given
    emily = create(client, agent)
    noah = create(client, agent, name="Noah", emails=["noah@example.com"], phones=[])
    url = f"/api/v1/customers/{emily['id']}/identities"
    # when
    added = client.post(url, headers=agent, json={"kind": "chat", "value": "visitor-7"})
    # then
    assert added.status_code == 201 and added.json()["value"] == "visitor-7"
    taken = client.post(url, headers=agent, json={"kind": "email", "value": "noah@example.com"})
    problem(taken, 409, "conflict")
    problem(
        client.post(url, headers=agent, json={"kind": "fax", "value": "1"}), 422, "invalid_input"
    )
    noah_identity = noah["identities"][0]["id"]
    problem(client.delete(f"{url}/{noah_identity}", headers=agent), 404, "not_found")
    removed = client.delete(f"{url}/{added.json()['id']}", headers=agent)
    assert removed.status_code == 204
    kinds = [
        i["kind"]
        for i in client.get(f"/api/v1/customers/{emily['id']}", headers=agent).json()["identities"]
    ]
    assert kinds == ["email", "phone"]


def test_merge_moves_identities_and_tickets(
    client: Any, agent: Headers, database: Database
) -> None:
    # given
    ticket = receive(database, email="emily.work@example.com")
    emily = create(client, agent)
    # when
    merged = client.post(
        f"/api/v1/customers/{emily['id']}/merge",
        headers=agent,
        json={"source_id": ticket.customer_id},
    )
    # then
    values = [i["value"] for i in merged.json()["identities"]]
    assert merged.status_code == 200 and "emily.work@example.com" in values
    tickets = client.get(f"/api/v1/customers/{emily['id']}/tickets", headers=agent).json()
    assert [t["id"] for t in tickets["items"]] == [ticket.ticket_id]
    old = client.get(f"/api/v1/customers/{ticket.customer_id}", headers=agent).json()
    assert old["merged_into_id"] == emily["id"]


def test_merge_refusals_change_nothing(client: Any, agent: Headers, light: Headers) -> None:
    # given
    emily = create(client, agent)
    noah = create(client, agent, name="Noah", emails=["noah@example.com"], phones=[])
    url = f"/api/v1/customers/{emily['id']}/merge"
    # when / then
    problem(client.post(url, headers=agent, json={"source_id": emily["id"]}), 409, "conflict")
    problem(client.post(url, headers=agent, json={"source_id": 999}), 404, "not_found")
    problem(
        client.post(url, headers=light, json={"source_id": noah["id"]}), 403, "permission_denied"
    )
    problem(client.post(url, headers=agent, json={"source_id": 0}), 422, "invalid_input")
    assert client.post(url, headers=agent, json={"source_id": noah["id"]}).status_code == 200
    problem(client.post(url, headers=agent, json={"source_id": noah["id"]}), 409, "conflict")
    assert found(client, agent) == ["Emily Chen"]


def test_customer_tickets_page(client: Any, agent: Headers, database: Database) -> None:
    # given
    first = receive(database)
    receive(database, subject="Another")
    # when
    page = client.get(
        f"/api/v1/customers/{first.customer_id}/tickets", headers=agent, params={"limit": 1}
    ).json()
    rest = client.get(
        f"/api/v1/customers/{first.customer_id}/tickets",
        headers=agent,
        params={"cursor": page["next_cursor"]},
    ).json()
    # then
    assert [t["subject"] for t in page["items"] + rest["items"]] == [
        "Another",
        "Where is my order?",
    ]
    problem(client.get("/api/v1/customers/404/tickets", headers=agent), 404, "not_found")
