"""The scheduling tables: shift templates, work profiles, labour rules, rosters and their
shifts, time-off and swap requests, calendar feeds and the agent status log."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Audited, Base, BigId, JsonDoc, UtcDateTime
from kefu.kit.clock import utcnow


class ShiftTemplate(Audited, Base):
    """A kind of shift: the local start times it may begin at (minutes after midnight), its
    length, and its breaks: [{"kind": "break"|"lunch", "minutes", "earliest", "latest"}]
    where earliest/latest are minutes after the shift's start (a lunch is unpaid), and the
    weekdays (Monday = 0) it may be worked on."""

    __tablename__ = "shift_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    start_minutes: Mapped[list[int]] = mapped_column(JsonDoc, default=list)
    length_minutes: Mapped[int] = mapped_column(Integer)
    breaks: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    weekdays: Mapped[list[int]] = mapped_column(JsonDoc, default=lambda: list(range(7)))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class WorkProfile(Audited, Base):
    """How an agent may be scheduled: queues served, contract hours per week, availability
    ([{"weekday", "start", "end"}] local minutes; empty = any time), preferred and forbidden
    templates and weekdays (Monday = 0)."""

    __tablename__ = "work_profiles"

    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )
    queue_ids: Mapped[list[int]] = mapped_column(JsonDoc, default=list)
    min_hours_week: Mapped[int] = mapped_column(Integer, default=0)
    max_hours_week: Mapped[int] = mapped_column(Integer, default=40)
    availability: Mapped[list[dict[str, int]]] = mapped_column(JsonDoc, default=list)
    preferred_template_ids: Mapped[list[int]] = mapped_column(JsonDoc, default=list)
    forbidden_template_ids: Mapped[list[int]] = mapped_column(JsonDoc, default=list)
    preferred_days_off: Mapped[list[int]] = mapped_column(JsonDoc, default=list)
    forbidden_days: Mapped[list[int]] = mapped_column(JsonDoc, default=list)
    is_scheduled: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class LabourRules(Audited, Base):
    """The labour rules of one site; a roster is built under one set."""

    __tablename__ = "labour_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    max_hours_day: Mapped[int] = mapped_column(Integer, default=10)
    max_hours_week: Mapped[int] = mapped_column(Integer, default=40)
    min_rest_hours: Mapped[int] = mapped_column(Integer, default=11)
    max_consecutive_days: Mapped[int] = mapped_column(Integer, default=6)
    min_days_off_week: Mapped[int] = mapped_column(Integer, default=2)
    fair_nights: Mapped[bool] = mapped_column(Boolean, default=True)
    fair_weekends: Mapped[bool] = mapped_column(Boolean, default=True)
    max_nights_per_week: Mapped[int | None] = mapped_column(Integer)
    max_weekends_worked: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class Roster(Audited, Base):
    """A schedule for `days` days from `start_date` (local, in `time_zone`) covering some
    queues: draft (edited, generated) until published. `status`: draft | generating |
    published. `solver` keeps the last run's report (status, objective, gap, shortfall,
    conflicts); `progress` what a running generation reports."""

    __tablename__ = "rosters"
    __audit_ignore__ = frozenset({"progress", "updated_at"})

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    start_date: Mapped[date] = mapped_column(Date)
    days: Mapped[int] = mapped_column(Integer, default=7)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    interval_minutes: Mapped[int] = mapped_column(Integer, default=30)
    queue_ids: Mapped[list[int]] = mapped_column(JsonDoc, default=list)
    rules_id: Mapped[int | None] = mapped_column(
        ForeignKey("labour_rules.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(12), default="draft")
    solver: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    progress: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class Shift(Audited, Base):
    """One agent's shift in a roster; `breaks` [{"kind", "start_at", "end_at"}] (ISO UTC).
    `is_manual` marks a shift a manager placed or moved: regeneration keeps it."""

    __tablename__ = "shifts"

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("rosters.id", ondelete="CASCADE"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    queue_id: Mapped[int | None] = mapped_column(
        ForeignKey("workforce_queues.id", ondelete="SET NULL"), index=True
    )
    template_id: Mapped[int | None] = mapped_column(
        ForeignKey("shift_templates.id", ondelete="SET NULL"), index=True
    )
    start_at: Mapped[datetime] = mapped_column(UtcDateTime)
    end_at: Mapped[datetime] = mapped_column(UtcDateTime)
    breaks: Mapped[list[dict[str, str]]] = mapped_column(JsonDoc, default=list)
    is_manual: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        Index(None, "roster_id", "start_at"),
        Index(None, "agent_id", "start_at"),
    )


class TimeOffRequest(Audited, Base):
    """An agent's request to be off from `start_at` to `end_at`: pending | approved |
    denied | cancelled."""

    __tablename__ = "time_off_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    start_at: Mapped[datetime] = mapped_column(UtcDateTime)
    end_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class SwapRequest(Audited, Base):
    """An agent offers their shift for a colleague's (or gives it to them when
    `other_shift_id` is null): pending | approved | denied | cancelled."""

    __tablename__ = "swap_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"))
    other_agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    other_shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CalendarFeed(Audited, Base):
    """The secret in an agent's iCalendar feed address; a new one revokes the old."""

    __tablename__ = "calendar_feeds"
    __audit_redact__ = frozenset({"token"})

    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class AgentStatusLog(Base):
    """Each change of an agent's status (from `agent.status_changed`), for adherence; one
    row per event, so a handler run twice writes it once."""

    __tablename__ = "agent_status_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(BigId, unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (Index(None, "agent_id", "changed_at"),)
