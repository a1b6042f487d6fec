"""The reports' tables: saved reports, report schedules and each period's delivery."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Audited, Base, JsonDoc, UtcDateTime
from kefu.kit.clock import utcnow


class SavedReport(Audited, Base):
    """A named set of filters (`spec`: range preset or dates, time zone, store, channel,
    team, agent, tag, type, intent) and the sections to show; the owner's own, or shared
    with everyone who may read reports."""

    __tablename__ = "saved_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    is_shared: Mapped[bool] = mapped_column(Boolean, default=False)
    spec: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    sections: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (Index(None, "owner_id"),)


class ReportSchedule(Audited, Base):
    """A report mailed every day, week (Monday to Sunday) or month, for the period that just
    ended in `time_zone`, as a PDF with charts and an XLSX, to `recipients`. It goes out at
    `send_hour` (local) or later: the job catches up after downtime."""

    __tablename__ = "report_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    frequency: Mapped[str] = mapped_column(String(10), default="weekly")
    recipients: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    language: Mapped[str] = mapped_column(String(10), default="en")
    send_hour: Mapped[int] = mapped_column(Integer, default=7)
    spec: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    sections: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class ReportDelivery(Base):
    """One period of one schedule: recorded (with its Message-ID) before the mail is handed
    to the SMTP server, marked sent right after, so a period is mailed once (schedule,
    period_start unique)."""

    __tablename__ = "report_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("report_schedules.id", ondelete="CASCADE"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    rfc_message_id: Mapped[str] = mapped_column(String(250))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    taken_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("schedule_id", "period_start"),
        Index(None, "status"),
    )
