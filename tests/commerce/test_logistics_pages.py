"""Logistics admin pages through HTTP: carriers, the tracking CSV upload, follow-up rules,
and the `kefu commerce tracking-import` command."""

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from kefu.commerce.models import Carrier, FollowUpRule, TrackingEvent
from kefu.db import Database
from kefu.kit import secretbox
from kefu.permissions import Role
from tests.accounts.factories import PASSWORD, make_agent
from tests.commerce.logistics_factories import KEY, make_order, make_store, seed_carriers, shipment
from tests.test_cli import run_kefu
from tests.web.helpers import csrf_token, sign_in

CSV = "运单号,状态,时间\nSF1000000001,已揽收,2026-10-01 10:00\nSF1000000001,??,2026-10-02\n"


def _signed_in(client: Any, database: Database, role: Role) -> str:
    make_agent(database, email=f"{role}@example.com", role=role)
    sign_in(client, f"{role}@example.com", PASSWORD)
    return csrf_token(client.get("/account/profile").text)


def test_admin_lists_adds_and_edits_carriers(client: Any, database: Database) -> None:
    seed_carriers(database)
    token = _signed_in(client, database, Role.ADMIN)
    listing = client.get("/admin/carriers")
    assert listing.status_code == 200 and "SF Express 顺丰" in listing.text
    refused = client.post(
        "/admin/carriers",
        data={"csrf_token": token, "code": "Best Express", "name": "Best", "is_active": "1"},
    )
    assert refused.status_code == 422 and "lower-case letters" in refused.text
    no_placeholder = client.post(
        "/admin/carriers",
        data={
            "csrf_token": token,
            "code": "best",
            "name": "Best",
            "tracking_url": "https://best.example/track",
            "is_active": "1",
        },
    )
    assert no_placeholder.status_code == 422 and "{number}" in no_placeholder.text
    added = client.post(
        "/admin/carriers",
        data={
            "csrf_token": token,
            "code": "best",
            "name": "Best Express 百世",
            "tracking_url": "https://best.example/t?n={number}",
            "webhook_secret": "s3cret",
            "is_active": "1",
        },
    )
    assert added.status_code == 303
    with database.sessions() as session:
        best = session.scalars(select(Carrier).where(Carrier.code == "best")).one()
        assert secretbox.decrypt(best.webhook_secret_enc or "", key=KEY) == "s3cret"
    edited = client.post(
        f"/admin/carriers/{best.id}",
        data={"csrf_token": token, "name": "Best", "tracking_url": "", "is_active": ""},
    )
    assert edited.status_code == 303
    with database.sessions() as session:
        best = session.get_one(Carrier, best.id)
        assert (best.name, best.tracking_url, best.is_active) == ("Best", "", False)
        assert best.webhook_secret_enc  # an empty field keeps the secret
    assert "s3cret" not in client.get(f"/admin/carriers/{best.id}").text


def test_agents_cannot_manage_carriers(client: Any, database: Database) -> None:
    _signed_in(client, database, Role.AGENT)
    assert client.get("/admin/carriers").status_code == 403
    assert client.get("/admin/logistics").status_code == 403


def test_tracking_upload_on_the_logistics_page(client: Any, database: Database) -> None:
    store = make_store(database)
    seed_carriers(database)
    make_order(database, store=store, fulfilments=[shipment()])
    token = _signed_in(client, database, Role.ADMIN)
    hub = client.get("/admin/logistics")
    assert hub.status_code == 200 and "Import tracking scans (CSV)" in hub.text
    response = client.post(
        "/admin/logistics/tracking-import",
        data={"csrf_token": token, "carrier": "sf-express", "time_zone": "Asia/Shanghai"},
        files={"file": ("scans.csv", CSV.encode(), "text/csv")},
    )
    assert response.status_code == 200
    assert "1 new scans, 0 already known, 1 rows skipped." in response.text
    assert "unknown tracking status: &#39;??&#39;" in response.text
    with database.sessions() as session:
        assert len(session.scalars(select(TrackingEvent)).all()) == 1


def test_manager_edits_a_follow_up_rule(client: Any, database: Database) -> None:
    store = make_store(database)
    token = _signed_in(client, database, Role.MANAGER)
    page = client.get("/admin/follow-ups")
    assert page.status_code == 200 and "您的订单 {order_number} 还未付款" in page.text
    refused = client.post(
        f"/admin/follow-ups/{store.id}/unpaid_reminder",
        data={
            "csrf_token": token,
            "is_enabled": "1",
            "delay_hours": "12",
            "daily_cap": "50",
            "subject": "Pay {coupon}",
            "body": "Hi {name}",
        },
    )
    assert refused.status_code == 422 and "unknown placeholder {coupon}" in refused.text
    saved = client.post(
        f"/admin/follow-ups/{store.id}/unpaid_reminder",
        data={
            "csrf_token": token,
            "is_enabled": "1",
            "delay_hours": "12",
            "daily_cap": "50",
            "subject": "Order {order_number}",
            "body": "Hi {name}",
        },
    )
    assert saved.status_code == 303
    with database.sessions() as session:
        rule = session.scalars(select(FollowUpRule)).one()
        assert (rule.kind, rule.is_enabled, rule.delay_hours, rule.daily_cap) == (
            "unpaid_reminder",
            True,
            12,
            50,
        )


@pytest.mark.slow
def test_tracking_import_command(database: Database, database_url: str, tmp_path: Path) -> None:
    store = make_store(database)
    make_order(database, store=store, fulfilments=[shipment()])
    path = tmp_path / "scans.csv"
    path.write_text(CSV, encoding="utf-8")
    env = {
        "KEFU_DATABASE_URL": database_url,
        "KEFU_DATA_DIR": str(tmp_path / "data"),
        "KEFU_SECRET_KEY": KEY,
    }
    first = run_kefu(
        "commerce",
        "tracking-import",
        str(path),
        "--time-zone",
        "Asia/Shanghai",
        cwd=tmp_path,
        env=env,
    )
    assert first.returncode == 0, first.stderr
    assert "line 3: unknown tracking status: '??'" in first.stderr
    assert "1 new scans, 0 already known, 1 rows skipped." in first.stdout
    again = run_kefu(
        "commerce",
        "tracking-import",
        str(path),
        "--time-zone",
        "Asia/Shanghai",
        cwd=tmp_path,
        env=env,
    )
    assert "0 new scans" in again.stdout
    bad = run_kefu(
        "commerce", "tracking-import", str(path), "--carrier", "nobody", cwd=tmp_path, env=env
    )
    assert bad.returncode == 1 and "unknown carrier: nobody" in bad.stderr
