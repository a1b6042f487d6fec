"""Custom views from the form, and the search page."""

import re
from typing import Any

from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.permissions import Role
from tests.tickets.factories import receive
from tests.tickets.test_pages import signed_in, token


def test_agent_creates_a_personal_view_and_sees_its_tickets(
    client: Any, database: Database
) -> None:
    receive(database, subject="Refund please", email="r@example.com")
    receive(database, subject="Where is it?", email="w@example.com")
    dispatch_due(database)  # the search index follows the events
    signed_in(client, database)
    form = client.get("/views/new")
    assert form.status_code == 200 and "Shared with every agent" not in form.text
    response = client.post(
        "/views/new",
        data={
            "csrf_token": token(client, "/views/new"),
            "name": "New refunds",
            "statuses": ["new"],
            "text": "refund",
            "sort": "created_desc",
        },
    )
    assert response.status_code == 303
    view_id = int(response.headers["location"].rsplit("/", 1)[1])
    page = client.get(f"/views/{view_id}")
    assert "Refund please" in page.text and "Where is it?" not in page.text
    assert re.search(rf'href="/views/{view_id}"[^>]*>\s*<span class="view-name">', page.text)
    edit = client.get(f"/views/saved/{view_id}/edit")
    assert 'value="New refunds"' in edit.text and 'value="refund"' in edit.text


def test_view_form_errors_are_shown(client: Any, database: Database) -> None:
    signed_in(client, database)
    response = client.post(
        "/views/new",
        data={"csrf_token": token(client, "/views/new"), "name": "  ", "statuses": ["bogus"]},
    )
    assert response.status_code == 422
    assert 'role="alert"' in response.text


def test_only_leads_share_views(client: Any, database: Database) -> None:
    signed_in(client, database, role=Role.MANAGER)
    assert "Shared with every agent" in client.get("/views/new").text
    response = client.post(
        "/views/new",
        data={"csrf_token": token(client, "/views/new"), "name": "Team queue", "is_shared": "true"},
    )
    assert response.status_code == 303


def test_search_reuses_rows_and_explains_operators(client: Any, database: Database) -> None:
    receive(database, subject="Parcel lost", email="p@example.com")
    receive(database, subject="发票申请", email="f@example.com")
    dispatch_due(database)
    signed_in(client, database)
    empty = client.get("/search")
    assert "Search operators" in empty.text and "status:open" in empty.text
    found = client.get("/search", params={"q": "parcel status:new"})
    assert found.status_code == 200
    assert "Parcel lost" in found.text and "发票申请" not in found.text
    bad = client.get("/search", params={"q": "colour:red"})
    assert bad.status_code == 422 and "colour:red" in bad.text
