"""Inbound messages over the API: a channel outside kefu hands over a customer's message."""

from typing import Any

from tests.api.helpers import problem

Headers = dict[str, str]
MAIL = {
    "channel": "email",
    "source_id": "<order-1001@mail.example>",
    "sender": {"email": "emily@example.com", "name": "Emily Chen"},
    "subject": "Where is my order?",
    "body_text": "It has been a week.",
}


def tickets(client: Any, headers: Headers) -> list[dict[str, Any]]:
    return list(client.get("/api/v1/tickets", headers=headers).json()["items"])


def test_a_new_message_opens_a_ticket_and_a_repeat_finds_it(client: Any, agent: Headers) -> None:
    # when
    first = client.post("/api/v1/inbound-messages", headers=agent, json=MAIL)
    again = client.post("/api/v1/inbound-messages", headers=agent, json=MAIL)
    # then
    assert first.status_code == 201
    assert first.json()["is_new_ticket"] is True and first.json()["is_duplicate"] is False
    assert again.status_code == 200 and again.json()["is_duplicate"] is True
    assert again.json()["message_id"] == first.json()["message_id"]
    [ticket] = tickets(client, agent)
    assert ticket["subject"] == "Where is my order?" and ticket["channel"] == "email"


def test_a_reply_threads_into_its_ticket(client: Any, agent: Headers) -> None:
    # given
    first = client.post("/api/v1/inbound-messages", headers=agent, json=MAIL).json()
    reply = {**MAIL, "source_id": "<re-1@mail.example>", "references": [MAIL["source_id"]]}
    # when
    threaded = client.post("/api/v1/inbound-messages", headers=agent, json=reply)
    # then
    assert threaded.status_code == 201 and threaded.json()["ticket_id"] == first["ticket_id"]
    assert threaded.json()["is_new_ticket"] is False


def test_refusals_store_nothing(client: Any, agent: Headers, light: Headers) -> None:
    url = "/api/v1/inbound-messages"
    problem(client.post(url, headers=light, json=MAIL), 403, "permission_denied")
    problem(client.post(url, headers=agent, json={**MAIL, "sender": {}}), 422, "invalid_input")
    problem(client.post(url, headers=agent, json={**MAIL, "channel": "fax"}), 422, "invalid_input")
    empty = {**MAIL, "subject": "", "body_text": ""}
    problem(client.post(url, headers=agent, json=empty), 422, "invalid_input")
    phantom = {
        "filename": "a.pdf",
        "content_type": "application/pdf",
        "sha256": "a" * 64,
        "size": 3,
    }
    unsent = client.post(url, headers=agent, json={**MAIL, "attachments": [phantom]})
    assert "not uploaded" in problem(unsent, 422, "invalid_input")["detail"]
    not_json = {**MAIL, "details": {"score": float("nan")}}
    bad = client.post(
        url,
        headers={**agent, "Content-Type": "application/json"},
        content=_dumps_allowing_nan(not_json),
    )
    problem(bad, 422, "invalid_input")
    problem(client.post(url, json=MAIL), 401, "not_authenticated")
    assert tickets(client, agent) == []


def _dumps_allowing_nan(value: Any) -> bytes:
    import json

    return json.dumps(value).encode()  # Python writes NaN, which JSON has no word for


def test_a_new_message_may_say_its_priority_and_a_reply_changes_none(
    client: Any, agent: Headers
) -> None:
    # given a contact form that lets the customer say it is urgent
    urgent = {**MAIL, "priority": "urgent", "channel": "web"}
    first = client.post("/api/v1/inbound-messages", headers=agent, json=urgent).json()
    # when the customer writes again, saying "low"
    reply = {**urgent, "source_id": "<re-2@mail.example>", "priority": "low"}
    reply["references"] = [MAIL["source_id"]]
    client.post("/api/v1/inbound-messages", headers=agent, json=reply)
    # then the ticket keeps the priority it was opened with
    [ticket] = tickets(client, agent)
    assert ticket["id"] == first["ticket_id"] and ticket["priority"] == "urgent"
    # and a priority that does not exist is refused
    wrong = client.post(
        "/api/v1/inbound-messages", headers=agent, json={**MAIL, "priority": "asap"}
    )
    assert wrong.status_code == 422
