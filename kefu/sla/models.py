"""The sla domain's tables: business-hours schedules, SLA policies and each ticket's clocks."""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Audited, Base, BigId, JsonDoc, UtcDateTime
from kefu.kit.clock import utcnow


class BusinessSchedule(Audited, Base):
    """Opening hours in a time zone. `weekly` is a list of {"weekday": 0–6 (Monday = 0),
    "start": minutes, "end": minutes} (several a day allowed, none crossing midnight);
    `holidays` a list of {"name", "month", "day", "year"} where a null year recurs yearly."""

    __tablename__ = "business_schedules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    time_zone: Mapped[str] = mapped_column(String(64))
    weekly: Mapped[list[dict[str, int]]] = mapped_column(JsonDoc, default=list)
    holidays: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class ScheduleTeam(Audited, Base):
    """The schedule a team works to (one per team)."""

    __tablename__ = "business_schedule_teams"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("business_schedules.id", ondelete="CASCADE"), index=True
    )


class ScheduleStore(Audited, Base):
    """The schedule a store (brand) is served in, for tickets without a team schedule."""

    __tablename__ = "business_schedule_stores"

    store_id: Mapped[int] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True
    )
    schedule_id: Mapped[int] = mapped_column(
        ForeignKey("business_schedules.id", ondelete="CASCADE"), index=True
    )


class SlaPolicy(Audited, Base):
    """Targets for the tickets a policy's conditions match; the lowest `position` matching
    wins. `conditions`: {"priorities", "channels", "store_ids", "types", "customer_tags":
    lists, "vip": true/false/null}; `targets`: {metric: {priority: minutes}};
    `hours`: calendar | business; `pause_statuses`: ticket statuses that stop the clocks."""

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    conditions: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    targets: Mapped[dict[str, dict[str, int]]] = mapped_column(JsonDoc, default=dict)
    hours: Mapped[str] = mapped_column(String(10), default="business")
    pause_statuses: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    warn_minutes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class SlaClock(Base):
    """One metric's clock on one ticket (first_reply, next_reply, periodic_update,
    resolution), reused when the metric starts again (a next reply after each customer
    message).

    `status`: running | paused | fulfilled | cancelled. `used_seconds` is the target time
    (business seconds when `hours` is business) spent before `running_since`; `due_at` and
    `warn_at` are set only while it runs. `warned_at`/`breached_at` record that the minute job
    reported it; `changed_at` is the time of the last ticket event applied, so an event
    handled late never undoes a later one."""

    __tablename__ = "sla_clocks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    metric: Mapped[str] = mapped_column(String(20))
    policy_id: Mapped[int | None] = mapped_column(
        ForeignKey("sla_policies.id", ondelete="SET NULL"), index=True
    )
    hours: Mapped[str] = mapped_column(String(10), default="calendar")
    target_seconds: Mapped[int] = mapped_column(Integer)
    warn_seconds: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(10), default="running")
    started_at: Mapped[datetime] = mapped_column(UtcDateTime)
    running_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    used_seconds: Mapped[int] = mapped_column(Integer, default=0)
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    warn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    warned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    breached_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    fulfilled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        UniqueConstraint("ticket_id", "metric"),
        # the minute job: running clocks whose warning or breach time has come
        Index("ix_sla_clocks_status_due_at", "status", "due_at"),
        Index("ix_sla_clocks_status_warn_at", "status", "warn_at"),
    )
