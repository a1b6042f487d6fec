"""/api/v1/sla: policies and schedules through the API, refusals as problem+json."""

from typing import Any

from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.permissions import Role
from tests.accounts.factories import make_agent
from tests.sla.factories import make_policy, targets
from tests.tickets.factories import receive
from tests.web.test_api import token_for

POLICY = {
    "name": "Urgent first",
    "conditions": {"priorities": ["urgent"], "vip": True},
    "targets": {"first_reply": {"urgent": 15}, "resolution": {"urgent": 240}},
    "hours": "calendar",
    "pause_statuses": ["pending"],
    "warn_minutes": 5,
}
SCHEDULE = {
    "name": "New York",
    "time_zone": "America/New_York",
    "intervals": [{"weekday": d, "start": "09:00", "end": "17:30"} for d in range(5)],
    "holidays": [{"name": "Independence Day", "on": "07-04"}],
    "is_default": True,
}


def _manager(database: Database) -> dict[str, str]:
    return token_for(database, make_agent(database, email="lead@example.com", role=Role.MANAGER))


def test_policies_are_created_read_replaced_and_deleted(client: Any, database: Database) -> None:
    headers = _manager(database)
    created = client.post("/api/v1/sla/policies", json=POLICY, headers=headers)
    assert created.status_code == 201
    body = created.json()
    assert body["targets"] == POLICY["targets"]
    assert body["conditions"]["vip"] is True
    policy_id = body["id"]
    listed = client.get("/api/v1/sla/policies", headers=headers).json()
    assert [p["id"] for p in listed] == [policy_id]
    replaced = client.put(
        f"/api/v1/sla/policies/{policy_id}",
        json={**POLICY, "name": "Urgent VIP", "is_active": False},
        headers=headers,
    )
    assert (replaced.json()["name"], replaced.json()["is_active"]) == ("Urgent VIP", False)
    assert client.delete(f"/api/v1/sla/policies/{policy_id}", headers=headers).status_code == 204
    assert client.get(f"/api/v1/sla/policies/{policy_id}", headers=headers).status_code == 404


def test_bad_policies_are_refused_as_problems(client: Any, database: Database) -> None:
    headers = _manager(database)
    for bad, reason in (
        ({**POLICY, "targets": {}}, "at least one target"),
        ({**POLICY, "targets": {"first_reply": {"urgent": -1}}}, "above zero"),
        ({**POLICY, "targets": {"first_answer": {"urgent": 5}}}, "first_answer"),
        ({**POLICY, "conditions": {"store_ids": [4242]}}, "no store 4242"),
        ({**POLICY, "pause_statuses": ["solved"]}, "pause_statuses"),
    ):
        response = client.post("/api/v1/sla/policies", json=bad, headers=headers)
        assert response.status_code == 422, bad
        assert response.headers["content-type"].startswith("application/problem+json")
        assert reason in response.text, response.text
    assert client.get("/api/v1/sla/policies", headers=headers).json() == []


def test_schedules_are_created_and_refused(client: Any, database: Database) -> None:
    headers = _manager(database)
    created = client.post("/api/v1/sla/schedules", json=SCHEDULE, headers=headers)
    assert created.status_code == 201
    assert created.json()["holidays"] == [{"name": "Independence Day", "on": "07-04"}]
    assert created.json()["intervals"][0] == {"weekday": 0, "start": "09:00", "end": "17:30"}
    again = client.post("/api/v1/sla/schedules", json=SCHEDULE, headers=headers)
    assert again.status_code == 409
    for bad, reason in (
        ({**SCHEDULE, "name": "A", "time_zone": "Mars/Olympus"}, "Mars/Olympus"),
        ({**SCHEDULE, "name": "B", "intervals": []}, "at least one open interval"),
        (
            {
                **SCHEDULE,
                "name": "C",
                "intervals": [{"weekday": 0, "start": "22:00", "end": "06:00"}],
            },
            "cannot cross midnight",
        ),
        ({**SCHEDULE, "name": "D", "team_ids": [777]}, "no team 777"),
    ):
        response = client.post("/api/v1/sla/schedules", json=bad, headers=headers)
        assert response.status_code == 422, bad
        assert reason in response.text, response.text
    assert len(client.get("/api/v1/sla/schedules", headers=headers).json()) == 1


def test_agents_cannot_change_policies(client: Any, database: Database) -> None:
    headers = token_for(database, make_agent(database, email="agent@example.com"))
    response = client.post("/api/v1/sla/policies", json=POLICY, headers=headers)
    assert response.status_code == 403


def test_a_tickets_clocks_and_the_sla_sort_and_filter(client: Any, database: Database) -> None:
    make_policy(database, hours="calendar", targets=targets(first_reply=60))
    headers = token_for(database, make_agent(database, email="agent@example.com"))
    ticket_id = receive(database).ticket_id
    dispatch_due(database)
    [clock] = client.get(f"/api/v1/tickets/{ticket_id}/sla", headers=headers).json()
    assert (clock["metric"], clock["state"]) == ("first_reply", "running")
    assert clock["text"].startswith("First reply due in")
    soon = client.get(
        "/api/v1/tickets", params={"sla_due_within": 61, "sort": "sla_due_asc"}, headers=headers
    )
    assert [t["id"] for t in soon.json()["items"]] == [ticket_id]
    breached = client.get("/api/v1/tickets", params={"sla_breached": True}, headers=headers)
    assert breached.json()["items"] == []
