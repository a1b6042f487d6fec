"""The phone lines' settings pages (/admin/phone): the token encrypted, the webhook
addresses shown, refusals that change nothing."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kefu.channels.phone.models import PhoneLine
from kefu.compliance.models import AuditEntry
from kefu.db import Database
from kefu.kit import secretbox
from tests.accounts.factories import PASSWORD, make_admin, make_agent
from tests.channels.phone.factories import KEY
from tests.web.helpers import csrf_token, sign_in

FORM = {
    "name": "Support line",
    "number": "+44 20 7946 0018",
    "account_sid": "AC" + "2" * 32,
    "auth_token": "super-secret-token-42",
    "forward_to": "020 7946 0999",
    "ring_seconds": "25",
    "voicemail_greeting": "Thanks for calling. Leave a message after the tone.",
    "team_id": "",
}


def _admin(client: Any, database: Database) -> str:
    make_admin(database)
    sign_in(client, "admin@example.com", PASSWORD)
    return csrf_token(client.get("/admin/phone/new").text)


def _lines(database: Database) -> list[PhoneLine]:
    with database.sessions() as session:
        found = list(session.scalars(select(PhoneLine)))
        session.expunge_all()
        return found


def test_admin_adds_a_phone_line_and_sees_its_webhook_addresses(
    client: Any, database: Database
) -> None:
    token = _admin(client, database)
    response = client.post("/admin/phone", data={**FORM, "csrf_token": token})
    assert response.status_code == 303
    [line] = _lines(database)
    assert (line.number, line.forward_to, line.ring_seconds) == (
        "+442079460018",
        "+442079460999",  # the national number read in the line's own country
        25,
    )
    assert secretbox.decrypt(line.auth_token_enc or "", key=KEY) == "super-secret-token-42"
    page = client.get(response.headers["location"]).text
    assert f"http://testserver/api/phone/twilio/{line.webhook_key}/voice" in page
    assert f"http://testserver/api/phone/twilio/{line.webhook_key}/status" in page
    assert "super-secret-token-42" not in page
    listing = client.get("/admin/phone").text
    assert 'href="tel:+442079460018"' in listing and "Support line" in listing
    assert 'href="/admin/phone"' in client.get("/admin").text
    with database.sessions() as session:
        entries = list(
            session.scalars(select(AuditEntry).where(AuditEntry.entity_id == str(line.id)))
        )
    assert entries and all("super-secret-token-42" not in str(e.changes) for e in entries)


def test_saving_without_a_token_keeps_the_stored_one(client: Any, database: Database) -> None:
    token = _admin(client, database)
    client.post("/admin/phone", data={**FORM, "csrf_token": token})
    [line] = _lines(database)
    response = client.post(
        f"/admin/phone/{line.id}",
        data={**FORM, "auth_token": "", "name": "Hotline", "is_active": "1", "csrf_token": token},
    )
    assert response.status_code == 303
    [saved] = _lines(database)
    assert saved.name == "Hotline" and saved.is_active
    assert secretbox.decrypt(saved.auth_token_enc or "", key=KEY) == "super-secret-token-42"


def test_bad_number_or_duplicate_is_refused_and_nothing_changes(
    client: Any, database: Database
) -> None:
    token = _admin(client, database)
    bad = client.post("/admin/phone", data={**FORM, "number": "12ab", "csrf_token": token})
    assert bad.status_code == 422 and "not a phone number" in bad.text
    assert _lines(database) == []
    client.post("/admin/phone", data={**FORM, "csrf_token": token})
    again = client.post("/admin/phone", data={**FORM, "name": "Two", "csrf_token": token})
    assert again.status_code == 409 or again.status_code == 422
    assert "already has the number" in again.text
    assert [line.name for line in _lines(database)] == ["Support line"]


def test_agents_cannot_open_the_phone_settings(client: Any, database: Database) -> None:
    make_agent(database, email="li@example.com")
    sign_in(client, "li@example.com", PASSWORD)
    assert client.get("/admin/phone").status_code == 403
    assert client.get("/admin/phone/new").status_code == 403
