"""The SLA editor pages: policies and business hours created, edited, refused with the
reason (never saved broken), reordered and deleted; every change audited."""

from typing import Any

from sqlalchemy import select

from kefu.compliance.models import AuditEntry
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.permissions import Role
from kefu.sla.models import BusinessSchedule, SlaPolicy
from tests.accounts.factories import PASSWORD, make_admin, make_agent
from tests.sla.factories import make_policy, make_schedule, targets
from tests.tickets.factories import receive
from tests.web.helpers import csrf_token, sign_in

POLICY_FORM = {
    "name": "VIP",
    "is_active": "1",
    "hours": "business",
    "pause_statuses": ["pending", "on_hold"],
    "warn_minutes": "10",
    "vip": "yes",
    "priorities": ["urgent", "high"],
    "target.first_reply.urgent": "30",
    "target.first_reply.high": "60",
    "target.resolution.urgent": "240",
}
SCHEDULE_FORM = {
    "name": "Shanghai office",
    "time_zone": "Asia/Shanghai",
    "day.0": "09:00-12:00, 13:00-18:00",
    "day.1": "09:00-18:00",
    "holidays": "10-01 National Day\n2026-12-31 Year end",
    "is_default": "1",
}


def _manager(client: Any, database: Database) -> str:
    make_agent(database, email="lead@example.com", role=Role.MANAGER)
    sign_in(client, "lead@example.com", PASSWORD)
    return csrf_token(client.get("/admin/sla").text)


def _policies(database: Database) -> list[SlaPolicy]:
    with database.sessions() as session:
        return list(session.scalars(select(SlaPolicy).order_by(SlaPolicy.position)))


def test_the_empty_page_explains_what_to_do(client: Any, database: Database) -> None:
    _manager(client, database)
    html = client.get("/admin/sla").text
    assert "No SLA policy yet" in html
    assert "No business hours yet" in html
    assert 'href="/admin/sla"' in client.get("/admin").text  # listed on the Settings page


def test_a_manager_creates_a_policy(client: Any, database: Database) -> None:
    token = _manager(client, database)
    assert client.get("/admin/sla/policies/new").status_code == 200
    response = client.post("/admin/sla/policies", data={**POLICY_FORM, "csrf_token": token})
    assert response.status_code == 303
    [policy] = _policies(database)
    assert policy.targets == {
        "first_reply": {"urgent": 30, "high": 60},
        "resolution": {"urgent": 240},
    }
    assert policy.conditions["vip"] is True
    assert policy.conditions["priorities"] == ["urgent", "high"]
    assert (policy.warn_minutes, policy.hours) == (10, "business")
    html = client.get("/admin/sla").text
    assert "First reply: Urgent 30 min, High 60 min<br>Resolution: Urgent 240 min" in html
    assert client.get(f"/admin/sla/policies/{policy.id}").status_code == 200
    # and it is in the audit log, as the manager's doing
    with database.sessions() as session:
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.entity_type == "sla_policies", AuditEntry.entity_id == str(policy.id)
            )
        ).one()
        assert (entry.action, entry.actor_kind) == ("sla_policies.created", "agent")


def test_a_policy_without_targets_is_refused_with_the_reason(
    client: Any, database: Database
) -> None:
    token = _manager(client, database)
    form = {k: v for k, v in POLICY_FORM.items() if not k.startswith("target.")}
    response = client.post("/admin/sla/policies", data={**form, "csrf_token": token})
    assert response.status_code == 422
    assert "at least one target" in response.text
    assert 'value="VIP"' in response.text  # what was typed comes back
    assert _policies(database) == []


def test_a_negative_target_is_refused(client: Any, database: Database) -> None:
    token = _manager(client, database)
    form = {**POLICY_FORM, "target.first_reply.urgent": "-5", "csrf_token": token}
    response = client.post("/admin/sla/policies", data=form)
    assert response.status_code == 422
    assert "above zero" in response.text
    assert _policies(database) == []


def test_an_unknown_store_is_refused(client: Any, database: Database) -> None:
    token = _manager(client, database)
    form = {**POLICY_FORM, "store_ids": "999", "csrf_token": token}
    response = client.post("/admin/sla/policies", data=form)
    assert response.status_code == 422
    assert "no store 999" in response.text
    assert _policies(database) == []


def test_policies_move_up_and_are_deleted(client: Any, database: Database) -> None:
    token = _manager(client, database)
    first = make_policy(database, name="First")
    second = make_policy(database, name="Second")
    client.post(
        f"/admin/sla/policies/{second.id}/move", data={"direction": "up", "csrf_token": token}
    )
    assert [p.name for p in _policies(database)] == ["Second", "First"]
    client.post(f"/admin/sla/policies/{first.id}/delete", data={"csrf_token": token})
    assert [p.name for p in _policies(database)] == ["Second"]


def test_a_manager_creates_business_hours(client: Any, database: Database) -> None:
    token = _manager(client, database)
    assert client.get("/admin/sla/schedules/new").status_code == 200
    response = client.post("/admin/sla/schedules", data={**SCHEDULE_FORM, "csrf_token": token})
    assert response.status_code == 303
    with database.sessions() as session:
        schedule = session.scalars(select(BusinessSchedule)).one()
        assert schedule.weekly == [
            {"weekday": 0, "start": 540, "end": 720},
            {"weekday": 0, "start": 780, "end": 1080},
            {"weekday": 1, "start": 540, "end": 1080},
        ]
        assert schedule.holidays == [
            {"name": "National Day", "month": 10, "day": 1, "year": None},
            {"name": "Year end", "month": 12, "day": 31, "year": 2026},
        ]
        assert schedule.is_default
    html = client.get(f"/admin/sla/schedules/{schedule.id}").text
    assert 'value="09:00-12:00, 13:00-18:00"' in html
    assert "10-01 National Day" in html


def test_hours_crossing_midnight_are_refused_with_the_reason(
    client: Any, database: Database
) -> None:
    token = _manager(client, database)
    form = {**SCHEDULE_FORM, "day.4": "22:00-06:00", "csrf_token": token}
    response = client.post("/admin/sla/schedules", data=form)
    assert response.status_code == 422
    assert "cannot cross" in response.text
    assert 'value="22:00-06:00"' in response.text
    with database.sessions() as session:
        assert session.scalars(select(BusinessSchedule)).all() == []


def test_bad_holidays_and_closed_weeks_are_refused(client: Any, database: Database) -> None:
    token = _manager(client, database)
    bad_day = {**SCHEDULE_FORM, "holidays": "13-45 Nonsense", "csrf_token": token}
    assert "13-45" in client.post("/admin/sla/schedules", data=bad_day).text
    closed = {"name": "Closed", "time_zone": "UTC", "csrf_token": token}
    response = client.post("/admin/sla/schedules", data=closed)
    assert response.status_code == 422
    assert "at least one open interval" in response.text


def test_business_hours_are_deleted(client: Any, database: Database) -> None:
    token = _manager(client, database)
    schedule = make_schedule(database)
    assert "London office" in client.get("/admin/sla").text
    client.post(f"/admin/sla/schedules/{schedule.id}/delete", data={"csrf_token": token})
    with database.sessions() as session:
        assert session.scalars(select(BusinessSchedule)).all() == []


def test_agents_may_not_edit_slas(client: Any, database: Database) -> None:
    make_agent(database, email="agent@example.com")
    sign_in(client, "agent@example.com", PASSWORD)
    assert client.get("/admin/sla").status_code == 403
    assert 'href="/admin/sla"' not in client.get("/").text
    assert client.get("/admin").status_code in (200, 403)
    assert 'href="/admin/sla"' not in client.get("/admin").text


def test_admins_see_the_page_in_chinese(client: Any, database: Database) -> None:
    make_admin(database)
    sign_in(client, "admin@example.com", PASSWORD)
    assert client.get("/admin/sla", headers={"Accept-Language": "zh-CN"}).status_code == 200


def test_the_ticket_page_shows_its_clocks(client: Any, database: Database) -> None:
    make_policy(database, hours="calendar", targets=targets(first_reply=60, resolution=480))
    make_agent(database, email="agent@example.com")
    sign_in(client, "agent@example.com", PASSWORD)
    ticket_id = receive(database).ticket_id
    dispatch_due(database)
    html = client.get(f"/tickets/{ticket_id}").text
    assert 'id="sla-panel"' in html
    assert "First reply due in" in html and "Resolution due in" in html
    chinese = client.get(f"/tickets/{ticket_id}", headers={"Accept-Language": "zh-CN"})
    assert chinese.status_code == 200


def test_a_ticket_without_clocks_has_no_sla_panel(client: Any, database: Database) -> None:
    make_agent(database, email="agent@example.com")
    sign_in(client, "agent@example.com", PASSWORD)
    ticket_id = receive(database).ticket_id
    dispatch_due(database)
    assert 'id="sla-panel"' not in client.get(f"/tickets/{ticket_id}").text
