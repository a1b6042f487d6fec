"""Saved reports and schedules through the pages: save what is in view, open it with its
sections, keep private ones private, refuse bad input with a reason, audit every change."""

import io
from typing import Any

import openpyxl
from sqlalchemy import select

from kefu.analytics.reports.models import ReportSchedule, SavedReport
from kefu.compliance.models import AuditEntry
from kefu.db import Database
from tests.accounts.factories import PASSWORD, make_agent
from tests.analytics.reports.factories import manager, seed, token
from tests.web.helpers import sign_in


def _save(client: Any, **values: Any) -> Any:
    data = {
        "csrf_token": token(client),
        "name": "Email this week",
        "range": "last_7",
        "sections": ["overview"],
    }
    data.update(values)
    return client.post("/reports/saved", data=data)


def test_a_manager_saves_the_filters_in_view_and_opens_them_again(
    client: Any, database: Database
) -> None:
    # given
    mia = manager(client, database)
    seed(database, make_agent(database, email="tom@example.com", name="Tom"))
    # when
    saved = _save(client, channel="email", sections=["overview", "agent"])
    # then
    assert saved.status_code == 303
    page = client.get(saved.headers["location"])
    assert page.status_code == 200
    assert "Email this week" in page.text
    assert "Channel: Email" in page.text
    assert 'id="section-overview"' in page.text and 'id="section-agent"' in page.text
    with database.sessions() as session:
        [report] = session.scalars(select(SavedReport)).all()
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == "saved_reports")
        ).all()
    assert (report.owner_id, report.spec, report.sections) == (
        mia.id,
        {"range": "last_7", "channel": "email"},
        ["overview", "agent"],
    )
    assert [e.action for e in entries] == ["saved_reports.created"]
    # and its XLSX holds the email tickets only: three created
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/reports/saved/{report.id}/export.xlsx").content)
    )
    figures = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert figures["Tickets created"] == 3
    pdf = client.get(f"/reports/saved/{report.id}/export.pdf")
    assert pdf.content.startswith(b"%PDF")


def test_a_private_report_is_not_found_by_others_a_shared_one_is_listed(
    client: Any, database: Database
) -> None:
    # given two saved reports of Mia's, one shared
    manager(client, database)
    private = _save(client, name="Mine").headers["location"]
    _save(client, name="Team view", is_shared="1")
    # when another manager looks
    make_agent(database, email="max@example.com", name="Max", role="manager")
    client.cookies.clear()
    sign_in(client, "max@example.com", PASSWORD)
    hub = client.get("/reports")
    # then
    assert "Team view" in hub.text and "Mine" not in hub.text
    assert client.get(private).status_code == 404
    refused = client.post(private + "/delete", data={"csrf_token": token(client)})
    assert refused.status_code == 404
    with database.sessions() as session:
        assert len(session.scalars(select(SavedReport)).all()) == 2


def test_saving_without_a_name_or_with_an_unknown_section_is_refused(
    client: Any, database: Database
) -> None:
    manager(client, database)
    assert _save(client, name=" ").status_code == 422
    response = _save(client, sections=["everything"])
    assert response.status_code == 422
    assert "unknown section" in response.text
    with database.sessions() as session:
        assert session.scalars(select(SavedReport)).all() == []


def _schedule(client: Any, **values: Any) -> Any:
    data = {
        "csrf_token": token(client),
        "name": "Weekly for the boss",
        "frequency": "weekly",
        "recipients": "boss@example.com, lead@example.com",
        "schedule_zone": "Asia/Shanghai",
        "send_hour": "8",
        "language": "zh_Hans",
        "sections": ["overview", "channel"],
    }
    data.update(values)
    return client.post("/reports/schedules", data=data)


def test_a_manager_schedules_a_weekly_report_pauses_and_deletes_it(
    client: Any, database: Database
) -> None:
    manager(client, database)
    made = _schedule(client)
    assert made.status_code == 303
    page = client.get("/reports/schedules")
    assert "Weekly for the boss" in page.text and "boss@example.com, lead@example.com" in page.text
    with database.sessions() as session:
        [schedule] = session.scalars(select(ReportSchedule)).all()
    assert (schedule.frequency, schedule.time_zone, schedule.send_hour, schedule.language) == (
        "weekly",
        "Asia/Shanghai",
        8,
        "zh_Hans",
    )
    assert schedule.recipients == ["boss@example.com", "lead@example.com"]
    preview = client.get(f"/reports/schedules/{schedule.id}/preview.pdf")
    assert preview.content.startswith(b"%PDF")
    paused = client.post(
        f"/reports/schedules/{schedule.id}/active",
        data={"csrf_token": token(client), "is_active": "0"},
    )
    assert paused.status_code == 303
    client.post(f"/reports/schedules/{schedule.id}/delete", data={"csrf_token": token(client)})
    with database.sessions() as session:
        assert session.scalars(select(ReportSchedule)).all() == []
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_type == "report_schedules")
        ).all()
    assert actions == [
        "report_schedules.created",
        "report_schedules.updated",
        "report_schedules.deleted",
    ]


def test_bad_schedules_are_refused_with_a_reason(client: Any, database: Database) -> None:
    manager(client, database)
    for values, reason in (
        ({"recipients": "not-an-address"}, "recipients"),
        ({"recipients": ""}, "recipients"),
        ({"frequency": "hourly"}, "frequency"),
        ({"schedule_zone": "Mars/Olympus"}, "time zone"),
        ({"send_hour": "25"}, "send_hour"),
        ({"language": "fr"}, "language"),
    ):
        response = _schedule(client, **values)
        assert response.status_code == 422, values
        assert reason in response.text, values
    with database.sessions() as session:
        assert session.scalars(select(ReportSchedule)).all() == []
