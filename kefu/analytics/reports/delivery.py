"""Mailing scheduled reports, once per period.

For each active schedule whose period has ended (and whose local send hour has come), the
job records the period's delivery row with a fixed Message-ID and commits it before the mail
is handed to the SMTP server, then marks it sent in its own transaction. A second run, or a
run after a crash once the outcome is recorded, finds the period sent and mails nothing. A
row left "sending" (a crash between the server's "250" and that commit) is sent again after
STALE_SENDING with the same Message-ID, which mail clients show once; a failure is retried
with the next run, up to MAX_ATTEMPTS."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from kefu.analytics.reports import exports
from kefu.analytics.reports.build import build_report, headline_lines
from kefu.analytics.reports.document import period_text
from kefu.analytics.reports.models import ReportDelivery, ReportSchedule
from kefu.analytics.reports.periods import (
    DayRange,
    last_complete_period,
    local_midnight_utc,
    local_today,
)
from kefu.analytics.reports.service import spec_of
from kefu.kit import i18n, mailer
from kefu.kit.i18n import gettext as _

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
STALE_SENDING = timedelta(minutes=10)
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def due_period(schedule: ReportSchedule, *, now: datetime) -> DayRange | None:
    """The period to mail now: the last complete one, once its send hour has come."""
    today = local_today(now, schedule.time_zone)
    period = last_complete_period(schedule.frequency, today=today)
    send_at = local_midnight_utc(period.until + timedelta(days=1), schedule.time_zone)
    send_at += timedelta(hours=schedule.send_hour)
    return period if now >= send_at else None


def _claim(database: Any, schedule_id: int, period: DayRange, now: datetime) -> int | None:
    """Take the period's delivery (creating it), or None when it is sent, failed for good,
    or another run holds it."""
    with database.unit_of_work() as session:
        found = session.scalar(
            select(ReportDelivery).where(
                ReportDelivery.schedule_id == schedule_id,
                ReportDelivery.period_start == period.since,
            )
        )
        if found is None:
            delivery = ReportDelivery(
                schedule_id=schedule_id,
                period_start=period.since,
                period_end=period.until,
                status="sending",
                rfc_message_id=make_msgid(domain="reports.kefu.local"),
                attempts=1,
                taken_at=now,
            )
            session.add(delivery)
            try:
                session.flush()
            except IntegrityError:  # another run inserted it first
                session.rollback()
                return None
            return delivery.id
        taken = session.execute(
            update(ReportDelivery)
            .where(
                ReportDelivery.id == found.id,
                or_(
                    ReportDelivery.status == "queued",
                    (ReportDelivery.status == "sending")
                    & (ReportDelivery.taken_at < now - STALE_SENDING),
                ),
            )
            .values(status="sending", taken_at=now, attempts=ReportDelivery.attempts + 1)
        )
        return found.id if taken.rowcount == 1 else None


def report_mail(
    session: Any, schedule: ReportSchedule, period: DayRange, *, now: datetime, sender: str
) -> EmailMessage:
    """The mail in the schedule's language: headline figures in the text, the PDF and the
    XLSX attached."""
    token = i18n.current_language.set(schedule.language)
    try:
        report = build_report(
            session,
            spec=spec_of(schedule),
            sections=list(schedule.sections),
            days=period,
            time_zone=schedule.time_zone,
            title=schedule.name,
            now=now,
        )
        subject = _("%(name)s · %(period)s", name=schedule.name, period=period_text(period))
        lines = [
            _(
                "The report “%(name)s” for %(period)s (%(zone)s).",
                name=schedule.name,
                period=period_text(period),
                zone=schedule.time_zone,
            ),
            "",
            *headline_lines(report),
            "",
            _("The PDF has the charts; the XLSX has every table."),
        ]
        message = mailer.build_message(
            sender=sender,
            to=", ".join(schedule.recipients),
            subject=subject,
            text="\n".join(lines),
        )
        from kefu.analytics.reports.pdf import pdf_bytes  # reportlab: loaded when a PDF is made

        stem = f"report-{schedule.id}-{period.since.isoformat()}"
        message.add_attachment(
            pdf_bytes(report), maintype="application", subtype="pdf", filename=f"{stem}.pdf"
        )
        message.add_attachment(
            exports.xlsx_bytes(report),
            maintype=XLSX_TYPE[0],
            subtype=XLSX_TYPE[1],
            filename=f"{stem}.xlsx",
        )
        return message
    finally:
        i18n.current_language.reset(token)


def _record(database: Any, delivery_id: int, **values: Any) -> None:
    with database.unit_of_work() as session:
        session.execute(
            update(ReportDelivery).where(ReportDelivery.id == delivery_id).values(**values)
        )


def send_one(runtime: Any, schedule_id: int, period: DayRange, *, now: datetime) -> str:
    """ "sent", "failed", "retry" or "skipped" (sent already, or held by another run)."""
    database, settings = runtime.database, runtime.settings
    delivery_id = _claim(database, schedule_id, period, now)
    if delivery_id is None:
        return "skipped"
    try:
        if not settings.smtp_url:
            raise RuntimeError("KEFU_SMTP_URL is not set: kefu cannot send system mail")
        with database.sessions() as session:
            schedule = session.get_one(ReportSchedule, schedule_id)
            delivery = session.get_one(ReportDelivery, delivery_id)
            message = report_mail(session, schedule, period, now=now, sender=settings.mail_from)
            message.replace_header("Message-ID", delivery.rfc_message_id)
            attempts = delivery.attempts
        mailer.send(settings.smtp_url, message)
    except Exception as exc:
        log.warning("report schedule %s, period %s not sent: %s", schedule_id, period, exc)
        status = "failed" if attempts_of(database, delivery_id) >= MAX_ATTEMPTS else "queued"
        _record(database, delivery_id, status=status, error=str(exc)[:1000])
        return "failed" if status == "failed" else "retry"
    _record(database, delivery_id, status="sent", sent_at=now, error=None)
    log.info("report schedule %s mailed for %s (attempt %s)", schedule_id, period, attempts)
    return "sent"


def attempts_of(database: Any, delivery_id: int) -> int:
    with database.sessions() as session:
        return session.get_one(ReportDelivery, delivery_id).attempts


def send_due_reports(runtime: Any, *, now: datetime) -> dict[str, int]:
    """Every active schedule's due period, each in its own transactions."""
    with runtime.database.sessions() as session:
        schedules = list(session.scalars(select(ReportSchedule).where(ReportSchedule.is_active)))
        due = [(s.id, p) for s in schedules if (p := due_period(s, now=now)) is not None]
        sent_ids = {
            (row[0], row[1])
            for row in session.execute(
                select(ReportDelivery.schedule_id, ReportDelivery.period_start).where(
                    ReportDelivery.schedule_id.in_([schedule_id for schedule_id, _p in due]),
                    ReportDelivery.status.in_(["sent", "failed"]),
                )
            )
        }
    counts: dict[str, int] = {}
    for schedule_id, period in due:
        if (schedule_id, period.since) in sent_ids:
            continue
        outcome = send_one(runtime, schedule_id, period, now=now)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
