"""The inbox and ticket pages through HTTP, as an agent's browser uses them."""

import re
from typing import Any

from sqlalchemy import select

from kefu.db import Database
from kefu.permissions import Role
from kefu.tickets.models import Message, Ticket
from tests.accounts.factories import PASSWORD, make_admin, make_agent
from tests.tickets.factories import receive
from tests.web.helpers import csrf_token, sign_in


def signed_in(client: Any, database: Database, *, role: Role = Role.AGENT) -> Any:
    agent = make_agent(database, email=f"{role}@example.com", name=f"{role} one", role=role)
    sign_in(client, agent.email, PASSWORD)
    return agent


def token(client: Any, path: str = "/") -> str:
    return csrf_token(client.get(path).text)


def test_start_page_is_my_queue_with_views_and_counts(client: Any, database: Database) -> None:
    # given
    receive(database, subject="Where is my parcel?")
    signed_in(client, database)
    # when
    page = client.get("/")
    # then
    assert page.status_code == 200
    assert "My open tickets" in page.text
    assert "No tickets here — nice work" in page.text
    unassigned = r'href="/views/unassigned"[^>]*>\s*<span class="view-name">Unassigned</span>'
    assert re.search(unassigned + r'\s*<span class="view-count"[^>]*>1</span>', page.text)


def test_unassigned_view_lists_rows(client: Any, database: Database) -> None:
    first = receive(database, subject="Where is my parcel?", email="a@example.com", name="Amy")
    receive(database, subject="退货申请", email="b@example.com", name="王芳")
    signed_in(client, database)
    page = client.get("/views/unassigned")
    assert page.status_code == 200
    assert "Where is my parcel?" in page.text and "退货申请" in page.text
    assert f'href="/tickets/{first.ticket_id}?view=unassigned"' in page.text
    assert "Amy" in page.text and "王芳" in page.text


def test_unknown_view_is_a_404_page(client: Any, database: Database) -> None:
    signed_in(client, database)
    page = client.get("/views/nonsense")
    assert page.status_code == 404
    assert "Page not found" in page.text


def test_ticket_page_shows_thread_panel_and_customer(client: Any, database: Database) -> None:
    result = receive(database, subject="Broken zipper", text="The zipper broke on day one.")
    signed_in(client, database)
    page = client.get(f"/tickets/{result.ticket_id}")
    assert page.status_code == 200
    assert "Broken zipper" in page.text
    assert "The zipper broke on day one." in page.text
    assert "Emily Chen" in page.text and "emily@example.com" in page.text
    assert 'name="kind" value="reply"' in page.text
    assert f'hx-post="/tickets/{result.ticket_id}/properties"' in page.text


def test_agent_replies_and_solves_in_one_go(client: Any, database: Database) -> None:
    result = receive(database)
    signed_in(client, database)
    response = client.post(
        f"/tickets/{result.ticket_id}/messages",
        data={
            "csrf_token": token(client),
            "kind": "reply",
            "body": "It ships today.",
            "status": "solved",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/tickets/{result.ticket_id}#message-")
    page = client.get(response.headers["location"])
    assert "Reply sent. Status: Solved." in page.text
    assert "It ships today." in page.text
    with database.sessions() as session:
        assert session.get(Ticket, result.ticket_id).status == "solved"


def test_note_with_mention_and_attachment(client: Any, database: Database) -> None:
    result = receive(database)
    colleague = make_agent(database, email="bo@example.com", name="Bo Li")
    signed_in(client, database)
    response = client.post(
        f"/tickets/{result.ticket_id}/messages",
        data={
            "csrf_token": token(client),
            "kind": "note",
            "body": "@Bo Li please check",
            "mentions": str(colleague.id),
        },
        files={"files": ("label.txt", b"tracking 123", "text/plain")},
    )
    assert response.status_code == 303
    with database.sessions() as session:
        note = session.scalars(select(Message).where(Message.kind == "note")).one()
        assert note.details["mentions"] == [colleague.id]
    page = client.get(f"/tickets/{result.ticket_id}")
    assert "msg-note" in page.text and "label.txt" in page.text
    link = re.search(r'href="(/attachments/\d+)"', page.text)
    assert link
    download = client.get(link.group(1))
    assert download.content == b"tracking 123"
    assert download.headers["content-disposition"].startswith("attachment")


def test_empty_reply_is_explained_and_keeps_nothing(client: Any, database: Database) -> None:
    result = receive(database)
    signed_in(client, database)
    response = client.post(
        f"/tickets/{result.ticket_id}/messages",
        data={"csrf_token": token(client), "kind": "reply", "body": "  "},
    )
    assert response.status_code == 422
    assert "a message needs a text" in response.text
    with database.sessions() as session:
        assert session.get(Ticket, result.ticket_id).message_count == 1


def test_light_agent_cannot_reply_but_can_note(client: Any, database: Database) -> None:
    result = receive(database)
    signed_in(client, database, role=Role.LIGHT_AGENT)
    page = client.get(f"/tickets/{result.ticket_id}")
    assert 'name="kind" value="reply"' not in page.text
    refused = client.post(
        f"/tickets/{result.ticket_id}/messages",
        data={"csrf_token": token(client), "kind": "reply", "body": "Hi!"},
    )
    assert refused.status_code == 422
    assert "your role does not allow this (tickets.reply)" in refused.text
    noted = client.post(
        f"/tickets/{result.ticket_id}/messages",
        data={"csrf_token": token(client), "kind": "note", "body": "FYI"},
    )
    assert noted.status_code == 303
    with database.sessions() as session:
        kinds = session.scalars(select(Message.kind).order_by(Message.id)).all()
        assert kinds == ["reply", "note"]


def test_side_panel_saves_through_htmx(client: Any, database: Database) -> None:
    result = receive(database)
    agent = signed_in(client, database)
    response = client.post(
        f"/tickets/{result.ticket_id}/properties",
        data={
            "csrf_token": token(client),
            "status": "pending",
            "priority": "high",
            "type": "incident",
            "assignee_id": str(agent.id),
            "team_id": "",
            "tags": "vip, 退货",
            "due_at": "2026-12-24",
            "followers_sent": "1",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'id="properties"' in response.text and "Saved" in response.text
    assert "<html" not in response.text
    with database.sessions() as session:
        ticket = session.get(Ticket, result.ticket_id)
        assert (ticket.status, ticket.priority, ticket.type, ticket.assignee_id) == (
            "pending",
            "high",
            "incident",
            agent.id,
        )
        assert ticket.due_at.date().isoformat() == "2026-12-24"


def test_side_panel_error_is_inline_not_500(client: Any, database: Database) -> None:
    result = receive(database)
    signed_in(client, database)
    response = client.post(
        f"/tickets/{result.ticket_id}/properties",
        data={"csrf_token": token(client), "assignee_id": "99999"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert 'role="alert"' in response.text and "99999" in response.text


def test_take_assigns_to_me(client: Any, database: Database) -> None:
    result = receive(database)
    agent = signed_in(client, database)
    response = client.post(f"/tickets/{result.ticket_id}/take", data={"csrf_token": token(client)})
    assert response.status_code == 303
    with database.sessions() as session:
        ticket = session.get(Ticket, result.ticket_id)
        assert (ticket.assignee_id, ticket.status) == (agent.id, "open")
    assert "The ticket is yours." in client.get(f"/tickets/{result.ticket_id}").text


def test_merge_by_number_and_split_a_message(client: Any, database: Database) -> None:
    first = receive(database, subject="Order 1", email="a@example.com")
    second = receive(database, subject="Order 1 again", email="a@example.com")
    signed_in(client, database)
    merged = client.post(
        f"/tickets/{second.ticket_id}/merge",
        data={"csrf_token": token(client), "target": f"#{first.ticket_id}"},
    )
    assert merged.headers["location"] == f"/tickets/{first.ticket_id}"
    with database.sessions() as session:
        assert session.get(Ticket, second.ticket_id).merged_into_id == first.ticket_id
    split = client.post(
        f"/tickets/{first.ticket_id}/messages/{second.message_id}/split",
        data={"csrf_token": token(client)},
    )
    assert split.status_code == 303
    new_id = int(split.headers["location"].rsplit("/", 1)[1])
    with database.sessions() as session:
        assert session.get(Message, second.message_id).ticket_id == new_id


def test_merge_into_itself_is_a_message(client: Any, database: Database) -> None:
    result = receive(database)
    signed_in(client, database)
    response = client.post(
        f"/tickets/{result.ticket_id}/merge",
        data={"csrf_token": token(client), "target": str(result.ticket_id)},
    )
    assert response.status_code == 303
    assert "cannot be merged into itself" in client.get(response.headers["location"]).text


def test_agent_cannot_delete_admin_can_and_restores(client: Any, database: Database) -> None:
    result = receive(database)
    signed_in(client, database)
    refused = client.post(f"/tickets/{result.ticket_id}/delete", data={"csrf_token": token(client)})
    assert "tickets.delete" in client.get(refused.headers["location"]).text
    with database.sessions() as session:
        assert session.get(Ticket, result.ticket_id).deleted_at is None
    make_admin(database)
    client.cookies.clear()
    sign_in(client, "admin@example.com", PASSWORD)
    client.post(f"/tickets/{result.ticket_id}/delete", data={"csrf_token": token(client)})
    deleted_view = client.get("/views/deleted")
    assert f"#{result.ticket_id}" in deleted_view.text
    client.post(
        "/tickets/bulk",
        data={
            "csrf_token": token(client),
            "ids": str(result.ticket_id),
            "action": "restore",
            "back": "/views/deleted",
        },
    )
    with database.sessions() as session:
        assert session.get(Ticket, result.ticket_id).deleted_at is None


def test_bulk_assign_status_and_tag(client: Any, database: Database) -> None:
    ids = [
        receive(database, subject=f"Question {n}", email=f"c{n}@example.com").ticket_id
        for n in range(3)
    ]
    agent = signed_in(client, database)
    csrf = token(client)
    for action, extra in (
        ("assign", {"assignee_id": "me"}),
        ("status", {"status": "pending"}),
        ("tag", {"tags": "batch, 批量"}),
    ):
        response = client.post(
            "/tickets/bulk",
            data={
                "csrf_token": csrf,
                "ids": [str(i) for i in ids[:2]],
                "action": action,
                "back": "/views/all_open",
                **extra,
            },
        )
        assert response.headers["location"] == "/views/all_open"
    assert "2 tickets updated." in client.get("/views/all_open").text
    with database.sessions() as session:
        rows = {t.id: t for t in session.scalars(select(Ticket))}
        assert [(rows[i].assignee_id, rows[i].status) for i in ids] == [
            (agent.id, "pending"),
            (agent.id, "pending"),
            (None, "new"),
        ]


def test_bulk_refusal_changes_nothing(client: Any, database: Database) -> None:
    ids = [receive(database, email=f"d{n}@example.com").ticket_id for n in range(2)]
    signed_in(client, database)
    response = client.post(
        "/tickets/bulk",
        data={
            "csrf_token": token(client),
            "ids": [str(ids[0]), "99999"],
            "action": "status",
            "status": "pending",
            "back": "/",
        },
    )
    assert "#99999" in client.get(response.headers["location"]).text
    with database.sessions() as session:
        assert session.get(Ticket, ids[0]).status == "new"


def test_agent_cannot_bulk_delete(client: Any, database: Database) -> None:
    result = receive(database)
    signed_in(client, database)
    client.post(
        "/tickets/bulk",
        data={"csrf_token": token(client), "ids": str(result.ticket_id), "action": "delete"},
    )
    with database.sessions() as session:
        assert session.get(Ticket, result.ticket_id).deleted_at is None


def test_load_more_fragment_and_sidebar_fragment(client: Any, database: Database) -> None:
    for n in range(55):
        receive(database, subject=f"Bulk {n}", email=f"e{n}@example.com")
    signed_in(client, database)
    page = client.get("/views/unassigned")
    assert page.text.count("data-row data-ticket-id") == 50
    more = re.search(r'hx-get="(/views/unassigned/rows\?cursor=[^"]+)"', page.text)
    assert more
    rows = client.get(more.group(1).replace("&amp;", "&"), headers={"HX-Request": "true"})
    assert rows.text.count("data-row data-ticket-id") == 5
    assert "<html" not in rows.text
    sidebar = client.get("/inbox/sidebar?view=unassigned", headers={"HX-Request": "true"})
    assert 'aria-current="page"' in sidebar.text and ">55<" in sidebar.text
