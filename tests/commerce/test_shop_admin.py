"""The Stores admin pages and /api/v1/stores, through HTTP: secrets go in, never come out."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kefu.commerce.models import Store
from kefu.db import Database
from kefu.kit import secretbox
from kefu.permissions import Role
from kefu.runtime import Runtime
from tests.accounts.factories import PASSWORD, make_admin, make_agent
from tests.commerce.shop_factories import KEY, make_store
from tests.web.helpers import csrf_token, sign_in
from tests.web.test_api import token_for

FORM = {
    "name": "EU shop",
    "platform": "shopify",
    "currency": "eur",
    "time_zone": "Europe/Berlin",
    "language": "de",
    "base_url": "eu-shop.myshopify.com/",
    "api_key": "",
    "api_secret": "shpat_secret_token_1",
    "webhook_secret": "whsec_secret_2",
}
SECRETS = ("shpat_secret_token_1", "whsec_secret_2")


def _admin(client: Any, database: Database) -> str:
    make_admin(database)
    sign_in(client, "admin@example.com", PASSWORD)
    return csrf_token(client.get("/admin/stores/new").text)


def test_admin_adds_a_store_and_sees_its_webhook_address(client: Any, database: Database) -> None:
    # given
    token = _admin(client, database)
    # when
    response = client.post("/admin/stores", data={**FORM, "csrf_token": token})
    # then
    assert response.status_code == 303
    with database.sessions() as session:
        store = session.scalars(select(Store)).one()
        assert (store.currency, store.base_url, store.time_zone) == (
            "EUR",
            "eu-shop.myshopify.com",
            "Europe/Berlin",
        )
        assert secretbox.decrypt(store.api_secret_enc or "", key=KEY) == "shpat_secret_token_1"
    page = client.get(response.headers["location"])
    assert page.status_code == 200 and "Store saved." in page.text
    assert f"http://testserver/api/v1/webhooks/shopify/{store.id}" in page.text
    assert "Import orders now" in page.text
    listing = client.get("/admin/stores").text
    assert "EU shop" in listing and "Never" in listing and 'href="/admin" aria-current' in listing
    for secret in SECRETS:
        assert secret not in page.text and secret not in listing


def test_a_refused_form_explains_and_keeps_no_secret(client: Any, database: Database) -> None:
    token = _admin(client, database)

    response = client.post(
        "/admin/stores", data={**FORM, "time_zone": "Mars/Olympus", "csrf_token": token}
    )

    assert response.status_code == 422
    assert "unknown time zone: Mars/Olympus" in response.text
    assert 'value="EU shop"' in response.text
    for secret in SECRETS:
        assert secret not in response.text
    with database.sessions() as session:
        assert session.scalars(select(Store)).all() == []


def test_editing_keeps_an_empty_secret_and_queues_an_import(
    client: Any, database: Database, runtime: Runtime
) -> None:
    token = _admin(client, database)
    store = make_store(database)

    edited = client.post(
        f"/admin/stores/{store.id}",
        data={
            **FORM,
            "name": "Renamed",
            "api_secret": "",
            "webhook_secret": "",
            "csrf_token": token,
        },
    )
    queued = client.post(f"/admin/stores/{store.id}/sync", data={"csrf_token": token})

    assert edited.status_code == 303 and queued.status_code == 303
    with database.sessions() as session:
        kept = session.get(Store, store.id)
        assert kept is not None and kept.name == "Renamed" and kept.is_active is False
        assert (
            secretbox.decrypt(kept.api_secret_enc or "", key=KEY) == "shpat_test_0123456789abcdef"
        )
    queued_jobs = [(task.name, task.args) for task in runtime.queue.huey.pending()]
    assert ("commerce.sync_store", (store.id,)) in queued_jobs


def test_agents_may_not_see_stores(client: Any, database: Database) -> None:
    make_agent(database, role=Role.AGENT)
    sign_in(client, "agent@example.com", PASSWORD)

    assert client.get("/admin/stores").status_code == 403
    assert 'href="/admin/stores"' not in client.get("/admin").text


def test_stores_api_secrets_are_write_only(client: Any, database: Database) -> None:
    headers = token_for(database, make_admin(database))

    created = client.post(
        "/api/v1/stores",
        json={
            "name": "Woo",
            "platform": "woocommerce",
            "base_url": "https://woo.example",
            "api_key": "ck_1",
            "api_secret": "cs_secret",
            "webhook_secret": "wh_secret",
        },
        headers=headers,
    )
    store_id = created.json()["id"]
    patched = client.patch(
        f"/api/v1/stores/{store_id}",
        json={"webhook_secret": "", "is_active": False},
        headers=headers,
    )
    listed = client.get("/api/v1/stores", headers=headers)
    queued = client.post(f"/api/v1/stores/{store_id}/sync", headers=headers)
    bad = client.post("/api/v1/stores", json={"name": "X", "currency": "EURO"}, headers=headers)

    assert created.status_code == 201
    assert (created.json()["has_api_secret"], created.json()["has_webhook_secret"]) == (True, True)
    assert "cs_secret" not in created.text and "wh_secret" not in listed.text
    assert patched.json()["has_webhook_secret"] is False and patched.json()["is_active"] is False
    assert [s["name"] for s in listed.json()] == ["Woo"]
    assert (queued.status_code, queued.json()) == (202, {"store_id": store_id, "queued": True})
    assert bad.status_code == 422
    assert client.get("/api/v1/stores/999", headers=headers).status_code == 404


def test_agents_may_not_use_the_stores_api(client: Any, database: Database) -> None:
    headers = token_for(database, make_agent(database, role=Role.AGENT))

    assert client.get("/api/v1/stores", headers=headers).status_code == 403
    refused = client.post("/api/v1/stores", json={"name": "X"}, headers=headers)
    assert refused.status_code == 403
