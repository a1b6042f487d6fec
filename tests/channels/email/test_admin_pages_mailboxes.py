"""The Mailboxes admin pages and the /api/v1/mailboxes API, through HTTP."""

from typing import Any

from sqlalchemy import select

from kefu.channels.email.models import Mailbox
from kefu.compliance.models import AuditEntry
from kefu.db import Database
from kefu.kit import secretbox
from tests.accounts.factories import PASSWORD, make_admin, make_agent
from tests.channels.email.mailbox_factories import KEY, make_mailbox, smtp_server
from tests.web.helpers import csrf_token, sign_in
from tests.web.test_api import token_for

FORM = {
    "name": "Support",
    "address": "Support@Shop.Example",
    "from_name": "Shop Support",
    "brand": "Shop",
    "auth_kind": "password",
    "imap_host": "imap.shop.example",
    "imap_port": "993",
    "imap_security": "ssl",
    "imap_username": "support@shop.example",
    "imap_password": "imap-pass-123",
    "imap_folder": "INBOX",
    "imap_archive_folder": "",
    "smtp_host": "smtp.shop.example",
    "smtp_port": "587",
    "smtp_security": "starttls",
    "smtp_username": "support@shop.example",
    "smtp_password": "smtp-pass-456",
    "oauth_token_url": "",
    "oauth_client_id": "",
    "oauth_client_secret": "",
    "oauth_refresh_token": "",
    "oauth_scope": "",
}
SECRETS = ("imap-pass-123", "smtp-pass-456")


def _admin(client: Any, database: Database) -> str:
    make_admin(database)
    sign_in(client, "admin@example.com", PASSWORD)
    return csrf_token(client.get("/admin/mailboxes/new").text)


def test_admin_adds_a_mailbox_through_the_form(client: Any, database: Database) -> None:
    token = _admin(client, database)
    response = client.post("/admin/mailboxes", data={**FORM, "csrf_token": token})
    assert response.status_code == 303
    with database.sessions() as session:
        [mailbox] = session.scalars(select(Mailbox)).all()
        assert (mailbox.address, mailbox.brand, mailbox.imap_archive_folder) == (
            "support@shop.example",
            "Shop",
            None,
        )
        assert secretbox.decrypt(mailbox.imap_secret_enc or "", key=KEY) == "imap-pass-123"
    assert response.headers["location"] == f"/admin/mailboxes/{mailbox.id}"
    page = client.get(response.headers["location"])
    assert page.status_code == 200 and "Mailbox saved." in page.text
    assert (
        'value="imap.shop.example"' in page.text and "Saved. Leave empty to keep it." in page.text
    )
    listing = client.get("/admin/mailboxes").text
    assert "support@shop.example" in listing and "Never" in listing
    for secret in SECRETS:
        assert secret not in page.text and secret not in listing


def test_a_refused_form_explains_keeps_the_values_but_not_the_secrets(
    client: Any, database: Database
) -> None:
    token = _admin(client, database)
    make_mailbox(database)
    response = client.post("/admin/mailboxes", data={**FORM, "csrf_token": token})
    assert response.status_code == 422
    assert "another mailbox (Support) already uses the address support@shop.example" in (
        response.text
    )
    assert 'value="Shop Support"' in response.text
    for secret in SECRETS:
        assert secret not in response.text
    with database.sessions() as session:
        assert len(session.scalars(select(Mailbox)).all()) == 1


def test_saving_the_edit_form_with_empty_secrets_keeps_them(
    client: Any, database: Database
) -> None:
    token = _admin(client, database)
    created = make_mailbox(database)
    with database.sessions() as session:
        before = session.get(Mailbox, created.id)
        assert before is not None
        stored = (before.imap_secret_enc, before.smtp_secret_enc)
    edited = {**FORM, "name": "Help desk", "imap_password": "", "smtp_password": ""}
    response = client.post(
        f"/admin/mailboxes/{created.id}", data={**edited, "is_active": "1", "csrf_token": token}
    )
    assert response.status_code == 303
    with database.sessions() as session:
        after = session.get(Mailbox, created.id)
        assert after is not None
        assert (after.name, after.is_active) == ("Help desk", True)
        assert (after.imap_secret_enc, after.smtp_secret_enc) == stored


def test_unticking_active_deactivates(client: Any, database: Database) -> None:
    token = _admin(client, database)
    created = make_mailbox(database)
    client.post(f"/admin/mailboxes/{created.id}", data={**FORM, "csrf_token": token})
    with database.sessions() as session:
        mailbox = session.get(Mailbox, created.id)
        assert mailbox is not None and mailbox.is_active is False
    assert "Deactivated" in client.get("/admin/mailboxes").text


def test_agents_and_managers_cannot_see_or_change_mailboxes(
    client: Any, database: Database
) -> None:
    created = make_mailbox(database)
    make_agent(database, email="manager@example.com", role="manager")  # type: ignore[arg-type]
    sign_in(client, "manager@example.com", PASSWORD)
    home = client.get("/")
    assert "/admin/mailboxes" not in home.text
    assert client.get("/admin/mailboxes").status_code == 403
    refused = client.post(
        f"/admin/mailboxes/{created.id}",
        data={**FORM, "name": "Mine", "csrf_token": csrf_token(home.text)},
    )
    assert refused.status_code == 403
    with database.sessions() as session:
        mailbox = session.get(Mailbox, created.id)
        assert mailbox is not None and mailbox.name == "Support"


def test_the_settings_page_links_to_mailboxes(client: Any, database: Database) -> None:
    _admin(client, database)
    assert 'href="/admin/mailboxes"' in client.get("/admin").text


def test_the_test_button_shows_each_step(client: Any, database: Database) -> None:
    token = _admin(client, database)
    with smtp_server(users={"support@shop.example": "smtp-pass-456"}) as port:
        created = make_mailbox(
            database,
            imap_host="mail.shop.invalid",
            smtp_host="127.0.0.1",
            smtp_port=port,
            smtp_security="none",
        )
        response = client.post(
            f"/admin/mailboxes/{created.id}/test",
            headers={"HX-Request": "true", "X-CSRF-Token": token},
        )
    assert response.status_code == 200
    html = response.text
    assert '<div id="diagnosis"' in html and "<html" not in html
    assert 'data-step="dns" data-ok="false"' in html
    assert "The name mail.shop.invalid cannot be resolved" in html
    assert 'data-step="login" data-ok="true"' in html
    assert "Signed in as support@shop.example." in html
    assert "The test failed" in html
    for secret in SECRETS:
        assert secret not in html


def test_api_creates_lists_and_updates_without_returning_secrets(
    client: Any, database: Database
) -> None:
    headers = token_for(database, make_admin(database))
    body = {k: v for k, v in FORM.items() if v} | {"imap_port": 993, "smtp_port": 587}
    created = client.post("/api/v1/mailboxes", headers=headers, json=body)
    assert created.status_code == 201
    read = created.json()
    assert (read["address"], read["has_imap_password"], read["has_oauth_refresh_token"]) == (
        "support@shop.example",
        True,
        False,
    )
    duplicate = client.post("/api/v1/mailboxes", headers=headers, json=body)
    assert duplicate.status_code == 409
    assert duplicate.headers["content-type"] == "application/problem+json"
    assert duplicate.json()["detail"] == (
        "another mailbox (Support) already uses the address support@shop.example"
    )
    patched = client.patch(
        f"/api/v1/mailboxes/{read['id']}",
        headers=headers,
        json={"smtp_password": "", "imap_folder": "Support", "is_active": False},
    )
    assert patched.status_code == 200
    assert (patched.json()["imap_folder"], patched.json()["is_active"]) == ("Support", False)
    assert patched.json()["has_smtp_password"] is True
    listed = client.get("/api/v1/mailboxes", headers=headers)
    assert [m["id"] for m in listed.json()] == [read["id"]]
    one = client.get(f"/api/v1/mailboxes/{read['id']}", headers=headers)
    assert one.json()["imap_folder"] == "Support"
    assert client.get("/api/v1/mailboxes/999", headers=headers).status_code == 404
    audit = client.get(
        "/api/v1/audit-entries", headers=headers, params={"entity_type": "mailboxes"}
    )
    everything = created.text + patched.text + listed.text + one.text + audit.text
    for secret in SECRETS:
        assert secret not in everything
    assert "[redacted]" in audit.text
    with database.sessions() as session:
        entries = session.scalars(select(AuditEntry.action)).all()
    assert entries.count("mailboxes.created") == 1


def test_api_refuses_agents_and_bad_input_and_writes_nothing(
    client: Any, database: Database
) -> None:
    agent_headers = token_for(database, make_agent(database))
    body = {"name": "S", "address": "s@shop.example", "smtp_host": "smtp.example"}
    refused = client.post("/api/v1/mailboxes", headers=agent_headers, json=body)
    assert refused.status_code == 403
    assert client.get("/api/v1/mailboxes", headers=agent_headers).status_code == 403
    admin_headers = token_for(database, make_admin(database))
    invalid = client.post("/api/v1/mailboxes", headers=admin_headers, json=body | {"imap_port": 0})
    assert invalid.status_code == 422 and invalid.json()["code"] == "invalid_input"
    no_server = client.post(
        "/api/v1/mailboxes", headers=admin_headers, json=body | {"smtp_host": ""}
    )
    assert no_server.status_code == 422
    assert no_server.json()["detail"] == "set an IMAP server, an SMTP server, or both"
    with database.sessions() as session:
        assert session.scalars(select(Mailbox)).all() == []


def test_openapi_documents_mailboxes_with_write_only_secrets(client: Any) -> None:
    spec = client.get("/api/openapi.json").json()
    assert {"/api/v1/mailboxes", "/api/v1/mailboxes/{mailbox_id}"} <= set(spec["paths"])
    assert "/api/v1/mailboxes/{mailbox_id}/test" in spec["paths"]
    schemas = spec["components"]["schemas"]
    secret = schemas["MailboxCreate"]["properties"]["imap_password"]
    assert secret.get("writeOnly") is True
    assert "imap_password" not in schemas["MailboxRead"]["properties"]
