"""The optional OpenAI-compatible endpoint, against a real chat-completions server on
127.0.0.1: an admin saves it (the API key encrypted, never shown back or logged), tests the
connection (told exactly what failed), and agents get generated summaries and drafts, with
the extractive summary and a visible note whenever the endpoint fails or times out."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from kefu.ai.models import AiSettings
from kefu.compliance.models import AuditEntry
from kefu.db import Database
from kefu.kit import secretbox
from kefu.permissions import Role
from tests.accounts.factories import PASSWORD, make_agent
from tests.ai.factories import KEY
from tests.ai.llm_server import ChatServer, chat_server
from tests.tickets.factories import receive
from tests.web.helpers import csrf_token, sign_in

API_KEY = "sk-local-0123456789abcdef"
MUG = "Hello, my mug arrived broken. Please send a new one, I need it for a gift."
OTHER = "My invoice for order 7788 has the wrong company name on it."


@pytest.fixture
def server() -> Iterator[ChatServer]:
    with chat_server() as running:
        yield running


def _admin(client: Any, database: Database) -> str:
    make_agent(database, email="boss@example.com", role=Role.ADMIN)
    sign_in(client, "boss@example.com", PASSWORD)
    return csrf_token(client.get("/admin/ai").text)


def _save(client: Any, token: str, url: str, **extra: str) -> Any:
    on = ["intent", "sentiment", "urgency", "summaries", "endpoint"]
    data = {"csrf_token": token, "on": on, "endpoint_url": url, "endpoint_model": "tiny",
            "endpoint_timeout": "1"} | extra  # fmt: skip
    return client.post("/admin/ai/switches", data=data, follow_redirects=False)


def _settings(database: Database) -> AiSettings:
    with database.sessions() as session:
        row = session.get(AiSettings, 1)
        assert row is not None
        return row


def test_the_key_is_stored_encrypted_and_never_shown_back(
    client: Any, database: Database, server: ChatServer
) -> None:
    # given an admin saving the endpoint with an API key
    token = _admin(client, database)
    assert _save(client, token, server.url, endpoint_key=API_KEY).status_code == 303
    # then the key is stored encrypted with the instance key, and appears nowhere
    row = _settings(database)
    assert API_KEY not in row.endpoint_key
    assert secretbox.decrypt(row.endpoint_key, key=KEY) == API_KEY
    page = client.get("/admin/ai").text
    assert API_KEY not in page and "saved — leave empty to keep it" in page
    with database.sessions() as session:
        entries = session.scalars(select(AuditEntry).where(
            AuditEntry.entity_type == "ai_settings")).all()  # fmt: skip
    assert entries and all(API_KEY not in str(e.changes) for e in entries)
    # when it is saved again with the field left empty, the key stays
    _save(client, token, server.url)
    assert secretbox.decrypt(_settings(database).endpoint_key, key=KEY) == API_KEY
    # and "Remove the saved key" removes it
    _save(client, token, server.url, endpoint_forget_key="true")
    assert _settings(database).endpoint_key == ""


def test_test_connection_says_what_answered_or_what_failed(
    client: Any, database: Database, server: ChatServer
) -> None:
    token = _admin(client, database)
    _save(client, token, server.url, endpoint_key=API_KEY)
    # an answering endpoint: its answer, and the key went along as a bearer token
    server.answer = "OK"
    page = client.post("/admin/ai/endpoint/test", data={"csrf_token": token}, follow_redirects=True)
    assert "The endpoint answered: “OK”." in page.text
    assert server.requests[-1]["path"] == "/v1/chat/completions"
    assert server.requests[-1]["headers"]["Authorization"] == f"Bearer {API_KEY}"
    assert server.requests[-1]["body"]["model"] == "tiny"
    # a failing one: its status and message
    server.mode = "error"
    page = client.post("/admin/ai/endpoint/test", data={"csrf_token": token}, follow_redirects=True)
    assert "Connection test failed:" in page.text and "HTTP 500" in page.text
    assert "model failed to load" in page.text
    # one that answers something else than a chat completion
    server.mode = "junk"
    page = client.post("/admin/ai/endpoint/test", data={"csrf_token": token}, follow_redirects=True)
    assert "not with a chat completion" in page.text
    # a wrong path (the base URL without /v1)
    server.mode = "ok"
    _save(client, token, server.url.removesuffix("/v1"))
    page = client.post("/admin/ai/endpoint/test", data={"csrf_token": token}, follow_redirects=True)
    assert "HTTP 404" in page.text and "no route /chat/completions" in page.text
    # and nothing listening
    _save(client, token, "http://127.0.0.1:9/v1")
    page = client.post("/admin/ai/endpoint/test", data={"csrf_token": token}, follow_redirects=True)
    assert "Could not connect to http://127.0.0.1:9/v1/chat/completions" in page.text
    assert API_KEY not in page.text


@pytest.mark.usefixtures("runtime")
def test_a_generated_summary_sends_only_that_tickets_text(
    client: Any, database: Database, server: ChatServer
) -> None:
    # given the endpoint switched on and two customers' tickets
    token = _admin(client, database)
    _save(client, token, server.url)
    ticket_id = receive(database, text=MUG, email="mia@example.com").ticket_id
    receive(database, text=OTHER, email="otto@example.com", subject="Invoice")
    # then the ticket page offers the language model's buttons
    page = client.get(f"/tickets/{ticket_id}").text
    assert f'hx-post="/tickets/{ticket_id}/ai/generated-summary"' in page
    # when an agent asks for a summary
    html = client.post(f"/tickets/{ticket_id}/ai/generated-summary",
                       headers={"X-CSRF-Token": token}).text  # fmt: skip
    # then the model's text is shown, marked as generated
    assert "Wants: a new mug." in html and 'data-source="endpoint"' in html
    # and the prompt held this ticket's conversation and nothing of the other's
    sent = server.requests[-1]["body"]["messages"]
    assert sent[0]["role"] == "system" and sent[1] == {
        "role": "user",
        "content": f"Customer: {MUG}",
    }
    assert not any("invoice" in m["content"].lower() for m in sent[1:])
    # a draft the same way
    server.answer = "Hi Mia, I'm sorry about the mug. [check: stock] We'll send a new one."
    draft = client.post(f"/tickets/{ticket_id}/ai/draft", headers={"X-CSRF-Token": token}).text
    assert "[check: stock] We&#39;ll send a new one." in draft and "ai-draft-text" in draft


@pytest.mark.usefixtures("runtime")
@pytest.mark.parametrize(("mode", "reason"), [("error", "HTTP 500"),
                                              ("hang", "did not answer within 1 s")])  # fmt: skip
def test_a_failing_endpoint_falls_back_to_the_extractive_summary_with_a_note(
    client: Any, database: Database, server: ChatServer, mode: str, reason: str
) -> None:
    token = _admin(client, database)
    _save(client, token, server.url)
    ticket_id = receive(database, text=MUG, email="mia@example.com").ticket_id
    server.mode = mode
    html = client.post(f"/tickets/{ticket_id}/ai/generated-summary",
                       headers={"X-CSRF-Token": token}).text  # fmt: skip
    assert "The language model gave no summary" in html and reason in html
    assert 'data-source="extractive"' in html and "Please send a new one" in html
    assert 'data-source="endpoint"' not in html
    draft = client.post(f"/tickets/{ticket_id}/ai/draft", headers={"X-CSRF-Token": token}).text
    server.release.set()
    assert "The language model gave no draft" in draft and "ai-draft-text" not in draft


@pytest.mark.usefixtures("runtime")
def test_with_the_endpoint_off_nothing_is_sent(
    client: Any, database: Database, server: ChatServer
) -> None:
    # given an endpoint saved but switched off
    token = _admin(client, database)
    data = {"csrf_token": token, "on": ["summaries"], "endpoint_url": server.url,
            "endpoint_timeout": "5"}  # fmt: skip
    client.post("/admin/ai/switches", data=data)
    ticket_id = receive(database, text=MUG, email="mia@example.com").ticket_id
    # then the ticket page has no language-model panel, and asking anyway sends nothing
    assert "/ai/generated-summary" not in client.get(f"/tickets/{ticket_id}").text
    html = client.post(f"/tickets/{ticket_id}/ai/generated-summary",
                       headers={"X-CSRF-Token": token}).text  # fmt: skip
    assert "No language model is configured." in html and 'data-source="extractive"' in html
    assert server.requests == []


@pytest.mark.parametrize(("field", "value"), [("endpoint_timeout", "0"),
                                              ("endpoint_timeout", "soon"),
                                              ("endpoint_key", "two words")])  # fmt: skip
def test_bad_endpoint_settings_are_refused_and_nothing_changes(
    client: Any, database: Database, field: str, value: str
) -> None:
    token = _admin(client, database)
    page = _save(client, token, "http://127.0.0.1:8080/v1", **{field: value})
    assert page.status_code == 303
    with database.sessions() as session:
        assert session.get(AiSettings, 1) is None
