"""Notifications through HTTP: the JSON API, the page, the badge in the top bar."""

from typing import Any

from kefu.db import Database
from kefu.tickets import notifications
from kefu.tickets.models import Notification
from tests.accounts.factories import PASSWORD, make_admin, make_agent
from tests.tickets.rt_factories import make_ticket
from tests.web.helpers import csrf_token, sign_in
from tests.web.test_api import token_for


def give(database: Database, *, agent_id: int, ticket_id: int, count: int) -> list[int]:
    ids = []
    for n in range(count):
        with database.unit_of_work() as session:
            made = notifications.notify(
                session,
                event_id=1000 * agent_id + n,
                agent_id=agent_id,
                kind="assigned",
                ticket_id=ticket_id,
                actor_name="Ada Admin",
            )
            assert made is not None
            session.flush()
            ids.append(made.id)
    return ids


def read_at(database: Database, notification_id: int) -> object:
    with database.sessions() as session:
        return session.get_one(Notification, notification_id).read_at


def test_api_lists_own_notifications_newest_first_by_cursor(
    client: Any, database: Database
) -> None:
    ada, bo = make_admin(database), make_agent(database, name="Bo Chen")
    ticket = make_ticket(database)
    bo_ids = give(database, agent_id=bo.id, ticket_id=ticket.id, count=3)
    give(database, agent_id=ada.id, ticket_id=ticket.id, count=1)
    headers = token_for(database, bo)
    first = client.get("/api/v1/notifications", headers=headers, params={"limit": 2}).json()
    assert [n["id"] for n in first["items"]] == [bo_ids[2], bo_ids[1]]
    assert first["unread_count"] == 3
    assert first["items"][0] | {"created_at": None} == {
        "id": bo_ids[2],
        "kind": "assigned",
        "ticket_id": ticket.id,
        "message_id": None,
        "actor_name": "Ada Admin",
        "created_at": None,
        "read_at": None,
    }
    rest = client.get(
        "/api/v1/notifications", headers=headers, params={"before_id": first["next_cursor"]}
    ).json()
    assert ([n["id"] for n in rest["items"]], rest["next_cursor"]) == ([bo_ids[0]], None)


def test_api_marks_read_and_refuses_unclear_requests(client: Any, database: Database) -> None:
    ada, bo = make_admin(database), make_agent(database, name="Bo Chen")
    ticket = make_ticket(database)
    bo_ids = give(database, agent_id=bo.id, ticket_id=ticket.id, count=2)
    [ada_id] = give(database, agent_id=ada.id, ticket_id=ticket.id, count=1)
    headers = token_for(database, bo)
    # someone else's id changes nothing and says so
    foreign = client.post("/api/v1/notifications/read", headers=headers, json={"ids": [ada_id]})
    assert foreign.json() == {"marked": 0, "unread_count": 2}
    assert read_at(database, ada_id) is None
    marked = client.post("/api/v1/notifications/read", headers=headers, json={"ids": [bo_ids[0]]})
    assert (marked.status_code, marked.json()) == (200, {"marked": 1, "unread_count": 1})
    neither = client.post("/api/v1/notifications/read", headers=headers, json={})
    both = client.post(
        "/api/v1/notifications/read", headers=headers, json={"ids": [bo_ids[1]], "all": True}
    )
    for refused in (neither, both):
        assert refused.status_code == 422
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["code"] == "invalid_input"
    assert read_at(database, bo_ids[1]) is None
    too_many = client.post(
        "/api/v1/notifications/read", headers=headers, json={"ids": list(range(501))}
    )
    assert too_many.status_code == 422
    assert client.get("/api/v1/notifications").status_code == 401
    everything = client.post("/api/v1/notifications/read", headers=headers, json={"all": True})
    assert everything.json() == {"marked": 1, "unread_count": 0}


def test_page_lists_notifications_with_ticket_links_and_marks_all_read(
    client: Any, database: Database
) -> None:
    bo = make_agent(database, name="Bo Chen")
    ticket = make_ticket(database)
    give(database, agent_id=bo.id, ticket_id=ticket.id, count=2)
    sign_in(client, "agent@example.com", PASSWORD)
    page = client.get("/notifications")
    assert page.status_code == 200
    assert f'href="/tickets/{ticket.id}"' in page.text
    assert f"Ada Admin assigned ticket #{ticket.id} to you" in page.text
    assert 'class="notification-count" aria-hidden="true">2<' in page.text  # top bar badge
    done = client.post(
        "/notifications/read", data={"all": "true", "csrf_token": csrf_token(page.text)}
    )
    assert (done.status_code, done.headers["location"]) == (303, "/notifications")
    after = client.get("/notifications")
    assert "Mark all as read" not in after.text and "notification-count" not in after.text


def test_page_marks_one_read_and_refuses_an_empty_form(client: Any, database: Database) -> None:
    bo = make_agent(database, name="Bo Chen")
    ticket = make_ticket(database)
    first, second = give(database, agent_id=bo.id, ticket_id=ticket.id, count=2)
    sign_in(client, "agent@example.com", PASSWORD)
    token = csrf_token(client.get("/notifications").text)
    one = client.post(
        "/notifications/read",
        data={"ids": str(first), "next": "/notifications?unread=true", "csrf_token": token},
    )
    assert one.headers["location"] == "/notifications?unread=true"
    assert read_at(database, first) is not None and read_at(database, second) is None
    empty = client.post("/notifications/read", data={"csrf_token": token})
    assert empty.status_code == 422
    assert "Choose the notifications" in empty.text
    unread_page = client.get("/notifications?unread=true").text
    assert unread_page.count('class="notification-item') == 1


def test_top_bar_badge_loads_its_count_and_the_live_script(client: Any, database: Database) -> None:
    bo = make_agent(database, name="Bo Chen")
    ticket = make_ticket(database)
    give(database, agent_id=bo.id, ticket_id=ticket.id, count=3)
    sign_in(client, "agent@example.com", PASSWORD)
    home = client.get("/").text
    assert 'hx-get="/notifications/badge"' in home
    assert "/static/kefu-live.js" in home
    badge = client.get("/notifications/badge").text
    assert 'aria-label="Notifications: 3 unread"' in badge
    assert "hx-get" not in badge
    assert client.get("/static/kefu-live.js").status_code == 200
    assert client.get("/notifications/badge").status_code == 200
    client.cookies.clear()
    assert client.get("/notifications").headers["location"] == "/login?next=/notifications"
