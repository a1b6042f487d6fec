"""Idempotency-Key on POST: a retry gets the first response instead of a second effect."""

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from kefu.api.jobs import purge_idempotency_keys
from kefu.api.models import IdempotencyKey
from kefu.db import Database
from kefu.kit.clock import utcnow
from kefu.runtime import Runtime
from kefu.tickets import service as tickets
from tests.api.helpers import problem

Headers = dict[str, str]
NEW = {"subject": "Where is order 1001?", "requester": {"email": "emily@example.com"}}


def post(client: Any, headers: Headers, key: str, body: dict[str, Any] = NEW) -> Any:
    return client.post("/api/v1/tickets", headers={**headers, "Idempotency-Key": key}, json=body)


def ticket_count(client: Any, headers: Headers) -> int:
    return len(client.get("/api/v1/tickets", headers=headers).json()["items"])


def stored_keys(database: Database) -> int:
    with database.sessions() as session:
        return session.scalar(select(func.count()).select_from(IdempotencyKey)) or 0


def test_a_retry_gets_the_first_response(client: Any, agent: Headers) -> None:
    # when
    first = post(client, agent, "7c1f3a9e-order-1001")
    retry = post(client, agent, "7c1f3a9e-order-1001")
    quoted = post(client, agent, '"7c1f3a9e-order-1001"')  # the draft's sf-string form
    # then
    assert first.status_code == retry.status_code == quoted.status_code == 201
    assert retry.json() == first.json() == quoted.json()
    assert "idempotent-replayed" not in first.headers
    assert retry.headers["idempotent-replayed"] == "true"
    assert ticket_count(client, agent) == 1


def test_the_same_key_for_another_request_is_refused(client: Any, agent: Headers) -> None:
    # given
    post(client, agent, "key-1")
    # when
    other_body = post(client, agent, "key-1", {**NEW, "subject": "Something else"})
    other_path = client.post(
        "/api/v1/customers", headers={**agent, "Idempotency-Key": "key-1"}, json=NEW
    )
    # then
    assert "different request" in problem(other_body, 422, "idempotency_key_reused")["detail"]
    problem(other_path, 422, "idempotency_key_reused")
    assert ticket_count(client, agent) == 1
    assert client.get("/api/v1/customers", headers=agent).json()["items"][0]["name"] == ""


def test_json_is_compared_by_value_not_spelling(client: Any, agent: Headers) -> None:
    headers = {**agent, "Idempotency-Key": "k", "Content-Type": "application/json"}
    first = client.post(
        "/api/v1/tickets",
        headers=headers,
        content=b'{"subject": "A", "requester": {"email": "a@example.com"}}',
    )
    same = client.post(
        "/api/v1/tickets",
        headers=headers,
        content=b'{"requester":{"email":"a@example.com"},"subject":"A"}',
    )
    assert same.headers["idempotent-replayed"] == "true" and same.json() == first.json()


def test_callers_have_their_own_keys(client: Any, agent: Headers, admin: Headers) -> None:
    # when
    mine = post(client, agent, "shared-key")
    theirs = post(client, admin, "shared-key")
    # then
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert "idempotent-replayed" not in theirs.headers


def test_a_refused_request_keeps_no_key(client: Any, agent: Headers, database: Database) -> None:
    # when: the first try is invalid, the corrected one uses the same key
    refused = post(client, agent, "retry-me", {"subject": "no requester"})
    corrected = post(client, agent, "retry-me")
    # then
    problem(refused, 422, "invalid_input")
    assert corrected.status_code == 201 and "idempotent-replayed" not in corrected.headers
    assert stored_keys(database) == 1


def test_keys_expire_after_24_hours_and_are_purged(
    client: Any, agent: Headers, database: Database, runtime: Runtime
) -> None:
    # given
    start = utcnow()
    runtime.clock = lambda: start
    post(client, agent, "old-key")
    # when: a day and a second later
    runtime.clock = lambda: start + timedelta(hours=24, seconds=1)
    again = post(client, agent, "old-key")
    # then: the key was forgotten, the request ran again
    assert again.status_code == 201 and "idempotent-replayed" not in again.headers
    assert ticket_count(client, agent) == 2
    # when: the hourly job runs two days later
    runtime.clock = lambda: start + timedelta(hours=30)
    post(client, agent, "fresh-key")
    runtime.clock = lambda: start + timedelta(hours=48, seconds=2)
    purge_idempotency_keys()
    # then: only keys younger than 24 hours stay
    assert stored_keys(database) == 1


def test_an_upload_retry_matches_by_file_not_by_multipart_boundary(
    client: Any, agent: Headers
) -> None:
    def upload(data: bytes) -> Any:
        files = {"file": ("label.pdf", data, "application/pdf")}
        headers = {**agent, "Idempotency-Key": "upload-1"}
        return client.post("/api/v1/attachments", headers=headers, files=files)

    first, retry, other = upload(b"%PDF-1"), upload(b"%PDF-1"), upload(b"%PDF-2")
    assert first.status_code == retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true" and retry.json() == first.json()
    problem(other, 422, "idempotency_key_reused")


@pytest.mark.parametrize("key", ["", " ", "x" * 256, "naïve", "tab\tkey"])
def test_malformed_keys_are_refused(client: Any, agent: Headers, key: str) -> None:
    response = client.post(
        "/api/v1/tickets",
        headers=[*agent.items(), ("Idempotency-Key", key.encode("latin-1"))],
        json=NEW,
    )
    assert response.status_code == 422
    assert response.json()["code"] in ("invalid_idempotency_key", "invalid_input")
    assert ticket_count(client, agent) == 0


def test_a_duplicate_while_the_first_still_runs(
    client: Any, agent: Headers, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL answers 409 at once; SQLite, one writer at a time, makes the duplicate wait
    for the first to commit and then replays its response."""
    # given: the first request is held inside the service
    entered, release = threading.Event(), threading.Event()
    create_ticket = tickets.create_ticket

    def held(*args: Any, **kwargs: Any) -> Any:
        entered.set()
        assert release.wait(timeout=30)
        return create_ticket(*args, **kwargs)

    monkeypatch.setattr(tickets, "create_ticket", held)
    results: dict[str, Any] = {}
    first = threading.Thread(target=lambda: results.update(first=post(client, agent, "busy")))
    first.start()
    assert entered.wait(timeout=30)
    # when
    second = threading.Thread(target=lambda: results.update(second=post(client, agent, "busy")))
    second.start()
    if backend == "postgresql":
        second.join(timeout=30)
        problem(results["second"], 409, "idempotency_key_in_use")
    else:
        second.join(timeout=0.5)
        assert second.is_alive()  # waiting for the first's write lock
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    # then
    assert results["first"].status_code == 201
    if backend == "sqlite":
        assert results["second"].headers["idempotent-replayed"] == "true"
        assert results["second"].json() == results["first"].json()
    assert ticket_count(client, agent) == 1


def test_a_new_token_is_never_kept_for_replay(
    client: Any, agent: Headers, database: Database
) -> None:
    # when: the answer holds the token's secret, which kefu does not store
    headers = {**agent, "Idempotency-Key": "token-1"}
    first = client.post("/api/v1/api-tokens", headers=headers, json={"name": "CI"})
    second = client.post("/api/v1/api-tokens", headers=headers, json={"name": "CI"})
    # then
    assert first.status_code == second.status_code == 201
    assert first.json()["token"] != second.json()["token"]
    assert stored_keys(database) == 0
