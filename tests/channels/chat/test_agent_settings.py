"""Chat widget administration through HTTP: create, edit, the snippet, the identity secret
shown once and rotated, refusals that store nothing, and who may see the pages."""

import re
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from kefu.channels.chat import widgets
from kefu.channels.chat.identity import sign_identity, verify_identity
from kefu.channels.chat.models import ChatWidget
from kefu.compliance.models import AuditEntry
from kefu.db import Database
from kefu.kit.clock import utcnow
from kefu.permissions import Role
from tests.accounts.factories import PASSWORD, make_admin, make_agent
from tests.automation.rule_factories import make_team
from tests.channels.chat.agent_factories import KEY
from tests.web.helpers import csrf_token, sign_in

FORM = {
    "name": "Blue Mug Shop",
    "allowed_origins": "https://Shop.Example/\nhttps://www.shop.example",
    "prechat.name": "required",
    "prechat.email": "optional",
    "prechat.order": "off",
    "greeting_en": "Hello from the mug shop!",
    "greeting_zh": "马克杯店欢迎您！",
    "colour": "#AA3300",
    "offline_when_nobody_online": "1",
    "is_active": "1",
}
SECRET_RE = re.compile(r'value="([A-Za-z0-9_-]{40,})" size="48" data-chat-secret')


def admin(client: Any, database: Database) -> str:
    make_admin(database)
    sign_in(client, "admin@example.com", PASSWORD)
    return csrf_token(client.get("/admin/chat/new").text)


def only_widget(database: Database) -> ChatWidget:
    with database.sessions() as session:
        [widget] = session.scalars(select(ChatWidget)).all()
        session.expunge(widget)
        return widget


def test_admin_creates_a_widget_and_sees_its_secret_once(client: Any, database: Database) -> None:
    token = admin(client, database)
    team = make_team(database, "Tier 1")
    # when the admin fills in the form
    response = client.post("/admin/chat", data={**FORM, "team_id": str(team), "csrf_token": token})
    # then the widget is stored as typed (origins cleaned) ...
    assert response.status_code == 200
    widget = only_widget(database)
    assert widget.name == "Blue Mug Shop"
    assert widget.allowed_origins == ["https://shop.example", "https://www.shop.example"]
    assert widget.prechat_fields == {"name": "required", "email": "optional", "order": "off"}
    assert widget.greeting == {"en": "Hello from the mug shop!", "zh": "马克杯店欢迎您！"}
    assert (widget.colour, widget.team_id, widget.is_active) == ("#aa3300", team, True)
    # ... the page shows the secret (which signs identities kefu accepts) and the snippet
    assert response.headers["cache-control"] == "no-store"
    secret = SECRET_RE.search(response.text).group(1)  # type: ignore[union-attr]
    assert widgets.widget_secret(widget, key=KEY) == secret
    signed = sign_identity(secret, external_id="c-7", expires_at=utcnow() + timedelta(hours=1))
    assert verify_identity(secret, signed, now=utcnow()).external_id == "c-7"
    snippet = f"data-widget=&#34;{widget.public_key}&#34;"
    assert snippet in response.text and "http://testserver/chat/widget.js" in response.text
    # ... and never again: the edit page and the list show the snippet, not the secret
    edit = client.get(f"/admin/chat/{widget.id}").text
    listing = client.get("/admin/chat").text
    for page in (edit, listing):
        assert snippet in page and secret not in page
    assert "Blue Mug Shop" in listing and "Tier 1" in listing
    # and the change is in the audit log, without the secret
    with database.sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == "chat_widgets")
        ).all()
        assert entries and all(secret not in str(e.changes) for e in entries)


def test_a_refused_form_explains_and_stores_nothing(client: Any, database: Database) -> None:
    token = admin(client, database)
    cases = {
        "allowed_origins": ("shop.example/path", "scheme://host"),
        "colour": ("blue", "colour"),
        "name": ("", "name"),
    }
    for field, (bad, reason) in cases.items():
        response = client.post("/admin/chat", data={**FORM, field: bad, "csrf_token": token})
        assert response.status_code == 422, field
        assert reason in response.text, field
        assert 'value="Hello from the mug shop!"' in response.text  # the form keeps the values
    # an unknown team is refused the same way
    response = client.post("/admin/chat", data={**FORM, "team_id": "999", "csrf_token": token})
    assert response.status_code in (404, 422) and "999" in response.text
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ChatWidget)) == 0


def test_editing_keeps_the_secret_and_an_empty_origin_list_warns(
    client: Any, database: Database
) -> None:
    token = admin(client, database)
    created = client.post("/admin/chat", data={**FORM, "csrf_token": token})
    secret = SECRET_RE.search(created.text).group(1)  # type: ignore[union-attr]
    widget = only_widget(database)
    # when the admin empties the allowed sites and switches the widget off
    edited = {**FORM, "allowed_origins": "", "csrf_token": token}
    del edited["is_active"]
    response = client.post(f"/admin/chat/{widget.id}", data=edited)
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    # then it is saved, any site is warned about, and the secret did not change
    assert "Chat widget saved." in page and "Any site can show this widget." in page
    after = only_widget(database)
    assert (after.allowed_origins, after.is_active) == ([], False)
    assert widgets.widget_secret(after, key=KEY) == secret
    assert "Any site" in client.get("/admin/chat").text


def test_rotating_the_secret_shows_a_new_one_and_the_old_stops_working(
    client: Any, database: Database
) -> None:
    token = admin(client, database)
    created = client.post("/admin/chat", data={**FORM, "csrf_token": token})
    old = SECRET_RE.search(created.text).group(1)  # type: ignore[union-attr]
    widget = only_widget(database)
    response = client.post(f"/admin/chat/{widget.id}/secret", data={"csrf_token": token})
    assert response.status_code == 200
    assert "the old one no longer works" in response.text
    new = SECRET_RE.search(response.text).group(1)  # type: ignore[union-attr]
    assert new != old and widgets.widget_secret(only_widget(database), key=KEY) == new
    assert old not in response.text


def test_only_admins_manage_widgets_and_the_hub_lists_live_chat(
    client: Any, database: Database
) -> None:
    make_agent(database, email="lee@example.com", name="Lee Manager", role=Role.MANAGER)
    sign_in(client, "lee@example.com", PASSWORD)
    for path in ("/admin/chat", "/admin/chat/new"):
        assert client.get(path).status_code == 403
    assert 'href="/admin/chat"' not in client.get("/admin").text
    client.cookies.clear()
    token = admin(client, database)
    hub = client.get("/admin").text
    assert 'href="/admin/chat"' in hub and "Live chat" in hub
    assert client.post("/admin/chat/424242/secret", data={"csrf_token": token}).status_code == 404
