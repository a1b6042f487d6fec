"""The REST API: bearer tokens, problem+json errors, OpenAPI."""

from typing import Any

from kefu.accounts import auth, service
from kefu.db import Database
from tests.accounts.factories import make_admin, make_agent


def token_for(database: Database, agent: Any) -> dict[str, str]:
    with database.unit_of_work() as session:
        _token, raw = auth.create_api_token(session, actor=service.actor_for(agent), name="t")
    return {"Authorization": f"Bearer {raw}"}


def test_openapi_and_docs(client: Any) -> None:
    spec = client.get("/api/openapi.json").json()
    assert spec["info"]["title"] == "kefu"
    assert "/api/v1/agents" in spec["paths"] and "/api/v1/audit-entries" in spec["paths"]
    assert "/login" not in spec["paths"]


def test_api_docs_page_uses_vendored_assets(client: Any, database: Database) -> None:
    from tests.accounts.factories import PASSWORD
    from tests.web.helpers import sign_in

    make_agent(database)
    sign_in(client, "agent@example.com", PASSWORD)
    html = client.get("/api/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_missing_and_bad_tokens_are_401_problems(client: Any) -> None:
    assert client.post("/api/v1/teams", json={"name": "X"}).status_code == 401
    missing = client.get("/api/v1/me")
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer kefu_nope"})
    assert missing.status_code == bad.status_code == 401
    assert missing.headers["content-type"] == "application/problem+json"
    assert bad.json()["code"] == "invalid_token"


def test_admin_creates_agent_and_the_audit_log_shows_it(client: Any, database: Database) -> None:
    headers = token_for(database, make_admin(database))
    created = client.post(
        "/api/v1/agents",
        headers=headers,
        json={"name": "Noah Patel", "email": "noah@example.com", "role": "manager"},
    )
    assert created.status_code == 201
    assert created.json()["role"] == "manager"
    audit = client.get(
        "/api/v1/audit-entries", headers=headers, params={"entity_type": "agents", "limit": 1}
    ).json()
    [entry] = audit["items"]
    assert entry["action"] == "agents.created" and entry["actor_kind"] == "api_token"
    assert entry["changes"]["email"] == [None, "noah@example.com"]
    assert audit["next_cursor"] is not None


def test_bad_input_is_a_422_problem_and_nothing_is_written(client: Any, database: Database) -> None:
    headers = token_for(database, make_admin(database))
    response = client.post(
        "/api/v1/agents", headers=headers, json={"name": "X", "email": "not-an-email"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input" and body["errors"][0]["loc"] == ["body", "email"]
    assert [a["email"] for a in client.get("/api/v1/agents", headers=headers).json()] == [
        "admin@example.com"
    ]


def test_agent_token_cannot_create_agents(client: Any, database: Database) -> None:
    headers = token_for(database, make_agent(database))
    response = client.post(
        "/api/v1/agents", headers=headers, json={"name": "X", "email": "x@example.com"}
    )
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert client.get("/api/v1/audit-entries", headers=headers).status_code == 403


def test_conflict_is_409(client: Any, database: Database) -> None:
    headers = token_for(database, make_admin(database))
    response = client.post(
        "/api/v1/agents", headers=headers, json={"name": "Again", "email": "ADMIN@example.com"}
    )
    assert response.status_code == 409 and "already exists" in response.json()["detail"]


def test_cookie_session_api_call_needs_csrf_header(client: Any, database: Database) -> None:
    from tests.accounts.factories import PASSWORD
    from tests.web.helpers import csrf_token, sign_in

    make_admin(database)
    sign_in(client, "admin@example.com", PASSWORD)
    body = {"name": "Team X"}
    assert client.post("/api/v1/teams", json=body).status_code == 403
    token = csrf_token(client.get("/").text)
    assert (
        client.post("/api/v1/teams", json=body, headers={"X-CSRF-Token": token}).status_code == 201
    )


def test_agent_sets_own_time_zone_but_not_a_made_up_one(client: Any, database: Database) -> None:
    agent = make_agent(database)
    headers = token_for(database, agent)
    ok = client.patch(
        f"/api/v1/agents/{agent.id}", headers=headers, json={"time_zone": "Asia/Shanghai"}
    )
    bad = client.patch(
        f"/api/v1/agents/{agent.id}", headers=headers, json={"time_zone": "Mars/Olympus"}
    )
    assert ok.json()["time_zone"] == "Asia/Shanghai"
    assert bad.status_code == 422 and "unknown time zone" in bad.json()["detail"]
    assert client.get("/api/v1/me", headers=headers).json()["time_zone"] == "Asia/Shanghai"
