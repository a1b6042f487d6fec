"""A ticket's conversation over the API: messages and notes, merge, split, links."""

from typing import Any

from kefu.db import Database
from tests.api.helpers import problem
from tests.tickets.factories import receive

Headers = dict[str, str]


def messages_of(client: Any, headers: Headers, ticket_id: int) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/tickets/{ticket_id}/messages", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def test_agent_replies_and_light_agent_adds_a_note(
    client: Any, agent: Headers, light: Headers, database: Database
) -> None:
    # given
    ticket_id = receive(database).ticket_id
    url = f"/api/v1/tickets/{ticket_id}/messages"
    # when
    reply = client.post(
        url, headers=agent, json={"body_text": "Shipped today.", "status": "pending"}
    )
    note = client.post(url, headers=light, json={"kind": "note", "body_html": "<b>VIP</b>"})
    # then
    assert reply.status_code == 201 and reply.json()["kind"] == "reply"
    assert note.status_code == 201 and note.json()["body_html"] == "<b>VIP</b>"
    assert [m["kind"] for m in messages_of(client, agent, ticket_id)] == ["reply", "reply", "note"]
    ticket = client.get(f"/api/v1/tickets/{ticket_id}", headers=agent).json()
    assert ticket["status"] == "pending" and ticket["message_count"] == 3


def test_message_refusals_add_nothing(
    client: Any, agent: Headers, light: Headers, database: Database
) -> None:
    # given
    ticket_id = receive(database).ticket_id
    url = f"/api/v1/tickets/{ticket_id}/messages"
    # when / then
    problem(client.post(url, headers=light, json={"body_text": "Hi"}), 403, "permission_denied")
    problem(client.post(url, headers=agent, json={"body_text": " "}), 422, "invalid_input")
    mention = {"body_text": "Hi", "mentions": [1]}
    assert (
        "internal notes"
        in problem(client.post(url, headers=agent, json=mention), 422, "invalid_input")["detail"]
    )
    problem(
        client.post(url, headers=agent, json={"kind": "note", "body_text": "x", "mentions": [99]}),
        404,
        "not_found",
    )
    problem(
        client.post("/api/v1/tickets/99/messages", headers=agent, json={"body_text": "Hi"}),
        404,
        "not_found",
    )
    problem(
        client.post(url, headers=agent, json={"body_text": "x" * 200_001}), 422, "invalid_input"
    )
    assert len(messages_of(client, agent, ticket_id)) == 1


def test_closed_ticket_takes_no_message(client: Any, agent: Headers, database: Database) -> None:
    # given
    ticket_id = receive(database).ticket_id
    client.patch(f"/api/v1/tickets/{ticket_id}", headers=agent, json={"status": "closed"})
    # when
    refused = client.post(
        f"/api/v1/tickets/{ticket_id}/messages", headers=agent, json={"body_text": "Hello?"}
    )
    # then
    problem(refused, 409, "conflict")
    assert len(messages_of(client, agent, ticket_id)) == 1


def test_messages_page_oldest_first(client: Any, agent: Headers, database: Database) -> None:
    # given
    ticket_id = receive(database, source_id="<a@x>").ticket_id
    for number in range(2):
        receive(database, references=("<a@x>",), text=f"more {number}")
    url = f"/api/v1/tickets/{ticket_id}/messages"
    # when
    first = client.get(url, headers=agent, params={"limit": 2}).json()
    rest = client.get(url, headers=agent, params={"cursor": first["next_cursor"]}).json()
    # then
    texts = [m["body_text"] for m in first["items"] + rest["items"]]
    assert texts[1:] == ["more 0", "more 1"] and rest["next_cursor"] is None
    problem(client.get(url, headers=agent, params={"cursor": "-1"}), 422, "invalid_input")
    problem(client.get("/api/v1/tickets/7/messages", headers=agent), 404, "not_found")


def test_merge_moves_the_conversation(client: Any, agent: Headers, database: Database) -> None:
    # given
    target = receive(database, email="emily@example.com").ticket_id
    source = receive(database, email="noah@example.com", subject="Also").ticket_id
    # when
    merged = client.post(
        f"/api/v1/tickets/{target}/merge", headers=agent, json={"source_ids": [source]}
    )
    # then
    assert merged.status_code == 200 and merged.json()["id"] == target
    old = client.get(f"/api/v1/tickets/{source}", headers=agent).json()
    assert old["status"] == "closed" and old["merged_into_id"] == target
    assert len(messages_of(client, agent, target)) == 3  # two messages and the merge note


def test_merge_refusals_change_nothing(
    client: Any, agent: Headers, light: Headers, database: Database
) -> None:
    # given
    target = receive(database).ticket_id
    source = receive(database, email="noah@example.com").ticket_id
    url = f"/api/v1/tickets/{target}/merge"
    # when / then
    assert (
        "itself"
        in problem(client.post(url, headers=agent, json={"source_ids": [target]}), 409, "conflict")[
            "detail"
        ]
    )
    problem(client.post(url, headers=agent, json={"source_ids": []}), 422, "invalid_input")
    problem(client.post(url, headers=agent, json={"source_ids": [404]}), 404, "not_found")
    problem(
        client.post(url, headers=light, json={"source_ids": [source]}), 403, "permission_denied"
    )
    client.patch(f"/api/v1/tickets/{source}", headers=agent, json={"status": "closed"})
    problem(client.post(url, headers=agent, json={"source_ids": [source]}), 409, "conflict")
    assert len(messages_of(client, agent, target)) == 1
    assert client.get(f"/api/v1/tickets/{source}", headers=agent).json()["merged_into_id"] is None


def test_split_a_message_off(client: Any, agent: Headers, database: Database) -> None:
    # given
    ticket_id = receive(database, source_id="<s@x>").ticket_id
    second = receive(database, references=("<s@x>",), text="A second question")
    url = f"/api/v1/tickets/{ticket_id}/split"
    # when
    split = client.post(url, headers=agent, json={"message_id": second.message_id})
    # then
    new = split.json()
    assert split.status_code == 201 and new["linked_ticket_ids"] == [ticket_id]
    assert [m["body_text"] for m in messages_of(client, agent, new["id"])] == ["A second question"]
    # and the refusals
    only = messages_of(client, agent, ticket_id)[0]["id"]
    assert (
        "only"
        in problem(
            client.post(url, headers=agent, json={"message_id": only}), 422, "invalid_input"
        )["detail"]
    )
    problem(client.post(url, headers=agent, json={"message_id": 999}), 404, "not_found")
    assert len(messages_of(client, agent, ticket_id)) == 1


def test_links(client: Any, agent: Headers, database: Database) -> None:
    # given
    one = receive(database).ticket_id
    two = receive(database, email="noah@example.com").ticket_id
    url = f"/api/v1/tickets/{one}/links"
    # when
    linked = client.post(url, headers=agent, json={"ticket_id": two})
    # then
    assert linked.status_code == 201 and [t["id"] for t in linked.json()] == [two]
    assert [t["id"] for t in client.get(f"/api/v1/tickets/{two}/links", headers=agent).json()] == [
        one
    ]
    problem(client.post(url, headers=agent, json={"ticket_id": two}), 409, "conflict")
    problem(client.post(url, headers=agent, json={"ticket_id": one}), 409, "conflict")
    problem(client.post(url, headers=agent, json={"ticket_id": 404}), 404, "not_found")
    problem(client.get("/api/v1/tickets/404/links", headers=agent), 404, "not_found")
    assert [t["id"] for t in client.get(url, headers=agent).json()] == [two]
