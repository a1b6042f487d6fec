"""Bad requests of every shape get a clear 4xx problem, never a 500; the OpenAPI document says
so for every operation."""

from typing import Any

import pytest

from kefu.db import Database
from tests.accounts.factories import make_agent
from tests.api.helpers import problem, token_for

Headers = dict[str, str]
URL = "/api/v1/tickets"
NEW = {"subject": "Hello", "requester": {"email": "emily@example.com"}}


def raw(client: Any, headers: Headers, body: bytes, kind: str = "application/json") -> Any:
    return client.post(URL, headers={**headers, "Content-Type": kind}, content=body)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"subject": "Hello", ', "JSON decode error"),
        (b'{"subject": "\xff\xfe"}', "not UTF-8"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"subject": "A\\u0000B", "requester": {"email": "a@example.com"}}', "NUL"),
        (b'{"subject": "\\ud800", "requester": {"email": "a@example.com"}}', "surrogate"),
        (b'{"subject": "x", "requester": {"customer_id": NaN}}', "finite"),
        (b'{"subject": "x", "requester": {"customer_id": ' + b"9" * 5000 + b"}}", "not JSON"),
        (b"", "Field required"),
    ],
)
def test_unreadable_bodies_are_422(client: Any, agent: Headers, body: bytes, reason: str) -> None:
    response = raw(client, agent, body)
    assert reason in problem(response, 422, "invalid_input")["detail"]
    assert client.get(URL, headers=agent).json()["items"] == []


def test_wrong_content_type_is_422(client: Any, agent: Headers) -> None:
    problem(raw(client, agent, b"subject=Hello", "text/plain"), 422, "invalid_input")
    problem(client.post(URL, headers=agent, data={"subject": "Hello"}), 422, "invalid_input")


@pytest.mark.parametrize(
    "body",
    [
        {**NEW, "assignee_id": 2**31},
        {**NEW, "store_id": -1},
        {**NEW, "requester": {"customer_id": 10**30}},
        {**NEW, "subject": "x" * 501},
        {**NEW, "tags": ["t"] * 51},
        {**NEW, "due_at": "tomorrow"},
        {**NEW, "due_at": "2026-01-01T09:00:00"},
        {**NEW, "due_at": "0001-01-01T00:00:00+05:00"},
        {**NEW, "due_at": "9999-12-31T23:00:00-05:00"},
        {**NEW, "fields": {"k": [1]}},
        {"subject": "", "requester": {"email": "a@example.com"}},
    ],
)
def test_out_of_range_values_are_422(client: Any, agent: Headers, body: dict[str, Any]) -> None:
    problem(client.post(URL, headers=agent, json=body), 422, "invalid_input")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tickets/9223372036854775808",
        "/api/v1/tickets/-1/messages",
        "/api/v1/customers/2147483648",
        "/api/v1/agents/99999999999999999999999",
        "/api/v1/audit-entries?before_id=9223372036854775808",
        "/api/v1/tickets?team_id=2147483648",
        "/api/v1/tickets?q=%00",
        "/api/v1/audit-entries?since=0001-01-01T00:00:00%2B05:00",
    ],
)
def test_huge_or_bad_numbers_in_the_url_are_422(client: Any, admin: Headers, path: str) -> None:
    method = "PATCH" if path.startswith("/api/v1/agents") else "GET"
    response = client.request(method, path, headers=admin, json={})
    problem(response, 422, "invalid_input")


def test_a_chunked_body_over_the_limit_is_413(client: Any, agent: Headers) -> None:
    limit = client.app.state.max_body_bytes
    chunks = (b"x" * 65536 for _ in range(limit // 65536 + 2))
    headers = {**agent, "Content-Type": "application/json"}
    problem(client.post(URL, headers=headers, content=chunks), 413, "too_large")


def test_unknown_address_and_wrong_method(client: Any, agent: Headers) -> None:
    problem(client.get("/api/v1/nothing-here", headers=agent), 404, "not_found")
    wrong = client.put(URL, headers=agent, json=NEW)
    problem(wrong, 405, "method_not_allowed")
    assert "GET" in wrong.headers["allow"]


def test_revoked_token_is_401(client: Any, agent: Headers) -> None:
    [token] = client.get("/api/v1/api-tokens", headers=agent).json()
    client.delete(f"/api/v1/api-tokens/{token['id']}", headers=agent)
    problem(client.get(URL, headers=agent), 401, "invalid_token")
    problem(client.get(URL, headers={"Authorization": "Basic abc"}), 401, "invalid_token")


def test_openapi_documents_every_operation_for_generators(client: Any) -> None:
    spec = client.get("/api/openapi.json").json()
    operations = [
        (path, method, operation)
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    ]
    ids = [operation["operationId"] for _, _, operation in operations]
    assert len(ids) == len(set(ids)) and "create_ticket" in ids and "upload_attachment" in ids
    assert spec["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
    problem_ref = {"$ref": "#/components/schemas/ProblemDetails"}
    assert "ProblemDetails" in spec["components"]["schemas"]
    for path, method, operation in operations:
        responses = operation["responses"]
        assert operation["tags"], (method, path)
        for status in ("401", "403", "422"):
            content = responses[status]["content"]
            assert content == {"application/problem+json": {"schema": problem_ref}}, (path, status)
        assert "{" not in path or "404" in responses, (method, path)
        success = [s for s in responses if s.startswith("2")]
        assert success and all("content" in responses[s] or s == "204" for s in success), (
            method,
            path,
        )
        headers = [p["name"] for p in operation.get("parameters", []) if p["in"] == "header"]
        keyed = method == "post" and operation["operationId"] != "create_token"
        assert headers == (["Idempotency-Key"] if keyed else []), (method, path)
    assert "413" in spec["paths"]["/api/v1/attachments"]["post"]["responses"]


def test_null_for_an_agent_field_that_cannot_be_empty_changes_nothing(
    client: Any, admin: Headers, database: Database
) -> None:
    """Was a 500: `"role": null` reached the NOT NULL column."""
    other = make_agent(database, email="noah@example.com", password=None)
    response = client.patch(
        f"/api/v1/agents/{other.id}", headers=admin, json={"role": None, "name": None}
    )
    assert response.status_code == 200
    assert response.json()["role"] == "agent" and response.json()["name"] == "Test Agent"


def test_an_agent_with_a_very_long_name_can_still_write(client: Any, database: Database) -> None:
    """Was a 500 on PostgreSQL: the audit log's actor name ("<name> (<token>)") overflowed."""
    agent = make_agent(database, email="long@example.com", name="N" * 200, password=None)
    response = client.post("/api/v1/tickets", headers=token_for(database, agent), json=NEW)
    assert response.status_code == 201
