"""Scheduled reports: each period mailed once, in the schedule's time zone, as a PDF with
charts and an XLSX, even when the job runs twice, the server refuses, or a run dies."""

import email
import email.policy
import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import openpyxl
import pypdf
import pytest
from sqlalchemy import select

from kefu.accounts.service import actor_for
from kefu.analytics.reports import delivery
from kefu.analytics.reports.models import ReportDelivery
from kefu.analytics.reports.periods import local_midnight_utc, local_today
from kefu.analytics.reports.service import ScheduleIn, create_schedule
from kefu.analytics.reports.spec import ReportSpec
from kefu.kit.clock import utcnow
from kefu.permissions import Role
from kefu.runtime import Runtime
from tests.accounts.factories import make_agent
from tests.analytics.reports.factories import seed
from tests.channels.email.servers import CaptureSMTP
from tests.conftest import free_port

ZONE = "Asia/Shanghai"


@pytest.fixture
def smtp(runtime: Runtime) -> Iterator[CaptureSMTP]:
    server = CaptureSMTP(None, port=free_port()).start()
    runtime.settings = runtime.settings.model_copy(
        update={"smtp_url": f"smtp://127.0.0.1:{server.port}"}
    )
    yield server
    server.stop()


def _schedule(runtime: Runtime, **values: Any) -> int:
    mia = make_agent(runtime.database, email="mia@example.com", name="Mia", role=Role.MANAGER)
    data = ScheduleIn(
        name="Weekly",
        recipients=["boss@example.com"],
        time_zone=ZONE,
        send_hour=8,
        sections=["overview", "channel"],
        spec=ReportSpec(),
        **values,
    )
    with runtime.database.unit_of_work() as session:
        return create_schedule(session, actor=actor_for(mia), data=data).id


def _next_monday_at(hour: int, minute: int = 5) -> datetime:
    """The coming Monday (local) at hour:minute, when this week's report is due."""
    today = local_today(utcnow(), ZONE)
    monday = today + timedelta(days=7 - today.weekday())
    return local_midnight_utc(monday, ZONE) + timedelta(hours=hour, minutes=minute)


def _deliveries(runtime: Runtime) -> list[tuple[str, int]]:
    with runtime.database.sessions() as session:
        rows = session.scalars(select(ReportDelivery).order_by(ReportDelivery.id)).all()
        return [(r.status, r.attempts) for r in rows]


def test_the_weekly_report_goes_out_once_after_the_week_ends_in_its_zone(
    runtime: Runtime, smtp: CaptureSMTP
) -> None:
    # given five tickets this week (two solved) and a weekly schedule at 08:00 Shanghai
    seed(runtime.database, make_agent(runtime.database, email="tom@example.com", name="Tom"))
    schedule_id = _schedule(runtime)
    due = _next_monday_at(8)
    # when the job runs before 08:00 local on Monday, at 08:05, and again
    early = delivery.send_due_reports(runtime, now=due - timedelta(hours=1))
    first = delivery.send_due_reports(runtime, now=due)
    second = delivery.send_due_reports(runtime, now=due + timedelta(minutes=15))
    # then one mail, with the PDF and the XLSX
    assert (early, first, second) == ({}, {"sent": 1}, {})
    [mail] = smtp.handler.mails
    assert mail.recipients == ["boss@example.com"]
    parsed = email.message_from_bytes(mail.raw, policy=email.policy.default)
    week = local_today(due, ZONE) - timedelta(days=7)
    assert (
        parsed["Subject"]
        == f"Weekly · {week.isoformat()} – {(week + timedelta(days=6)).isoformat()}"
    )
    assert "Tickets created: 5" in parsed.get_body(("plain",)).get_content()
    files = {part.get_filename(): part.get_content() for part in parsed.iter_attachments()}
    stem = f"report-{schedule_id}-{week.isoformat()}"
    assert sorted(files) == [f"{stem}.pdf", f"{stem}.xlsx"]
    text = "\n".join(
        p.extract_text() for p in pypdf.PdfReader(io.BytesIO(files[f"{stem}.pdf"])).pages
    )
    assert "Tickets created" in text and "Created and solved" in text and "By channel" in text
    book = openpyxl.load_workbook(io.BytesIO(files[f"{stem}.xlsx"]))
    figures = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert figures["Tickets created"] == 5 and figures["Tickets solved"] == 2
    assert _deliveries(runtime) == [("sent", 1)]


def test_a_refused_mail_is_retried_and_sent_once(runtime: Runtime, smtp: CaptureSMTP) -> None:
    _schedule(runtime)
    due = _next_monday_at(8)
    smtp.handler.refuse(451, "try again later")
    assert delivery.send_due_reports(runtime, now=due) == {"retry": 1}
    assert _deliveries(runtime) == [("queued", 1)]
    assert delivery.send_due_reports(runtime, now=due + timedelta(minutes=15)) == {"sent": 1}
    assert len(smtp.handler.mails) == 1
    assert _deliveries(runtime) == [("sent", 2)]


def test_a_run_that_dies_after_the_server_took_the_mail_sends_it_again_with_its_message_id(
    runtime: Runtime, smtp: CaptureSMTP, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a run that dies between the server's "250" and recording "sent"
    _schedule(runtime)
    due = _next_monday_at(8)
    record = delivery._record

    def die_on_sent(database: Any, delivery_id: int, **values: Any) -> None:
        if values.get("status") == "sent":
            raise SystemExit("killed")
        record(database, delivery_id, **values)

    monkeypatch.setattr(delivery, "_record", die_on_sent)
    with pytest.raises(SystemExit):
        delivery.send_due_reports(runtime, now=due)
    monkeypatch.setattr(delivery, "_record", record)
    # when the job runs again at once, and after the stale time
    at_once = delivery.send_due_reports(runtime, now=due + timedelta(minutes=1))
    later = delivery.send_due_reports(runtime, now=due + delivery.STALE_SENDING * 2)
    # then only the stale row is sent again, under the same Message-ID
    assert (at_once, later) == ({"skipped": 1}, {"sent": 1})
    ids = {
        email.message_from_bytes(m.raw, policy=email.policy.default)["Message-ID"]
        for m in smtp.handler.mails
    }
    assert len(smtp.handler.mails) == 2 and len(ids) == 1
    assert _deliveries(runtime) == [("sent", 2)]


def test_a_daily_report_covers_yesterday_and_paused_schedules_send_nothing(
    runtime: Runtime, smtp: CaptureSMTP
) -> None:
    _schedule(runtime, frequency="daily")
    tomorrow = local_today(utcnow(), ZONE) + timedelta(days=1)
    at = local_midnight_utc(tomorrow, ZONE) + timedelta(hours=9)
    assert delivery.send_due_reports(runtime, now=at) == {"sent": 1}
    with runtime.database.sessions() as session:
        [row] = session.scalars(select(ReportDelivery)).all()
    assert row.period_start == row.period_end == tomorrow - timedelta(days=1)
    with runtime.database.unit_of_work() as session:
        from kefu.analytics.reports.models import ReportSchedule

        session.get_one(ReportSchedule, row.schedule_id).is_active = False
    assert delivery.send_due_reports(runtime, now=at + timedelta(days=1)) == {}


def test_without_an_smtp_server_the_period_waits_with_the_reason(runtime: Runtime) -> None:
    _schedule(runtime)
    assert delivery.send_due_reports(runtime, now=_next_monday_at(8)) == {"retry": 1}
    with runtime.database.sessions() as session:
        [row] = session.scalars(select(ReportDelivery)).all()
    assert row.status == "queued" and "KEFU_SMTP_URL" in (row.error or "")
