"""The workforce domain's tables: queues, volume history, forecast runs, events, overrides."""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Audited, Base, BigId, JsonDoc, UtcDateTime
from kefu.kit.clock import utcnow


class WorkforceQueue(Audited, Base):
    """A stream of contacts planned as one: the tickets of one channel, optionally narrowed
    to a team and a store. Intervals are 15 or 30 minutes, shown in `time_zone`; `country`
    names the public holidays (holidays package code, "CN", "US") that adjust the forecast.

    Staffing parameters are read by kefu.workforce.staffing: a service-level target
    (`service_level_target` answered within `answer_within_seconds`) unless
    `asa_target_seconds` is set; `patience_seconds` switches voice to Erlang A; `concurrency`
    is chats per agent; `async_within_hours` makes an email queue a backlog to clear within
    that many business hours. `aht_seconds` is the manual average handle time; when null the
    measured one is used. `holiday_multiplier` scales the forecast on a public holiday."""

    __tablename__ = "workforce_queues"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(20))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    store_id: Mapped[int | None] = mapped_column(Integer)
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    country: Mapped[str | None] = mapped_column(String(8))
    interval_minutes: Mapped[int] = mapped_column(Integer, default=30)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    service_level_target: Mapped[float] = mapped_column(Float, default=0.8)
    answer_within_seconds: Mapped[int] = mapped_column(Integer, default=20)
    asa_target_seconds: Mapped[int | None] = mapped_column(Integer)
    max_occupancy: Mapped[float] = mapped_column(Float, default=0.85)
    shrinkage: Mapped[float] = mapped_column(Float, default=0.3)
    patience_seconds: Mapped[int | None] = mapped_column(Integer)
    concurrency: Mapped[int] = mapped_column(Integer, default=1)
    async_within_hours: Mapped[int | None] = mapped_column(Integer)
    aht_seconds: Mapped[int | None] = mapped_column(Integer)
    holiday_multiplier: Mapped[float] = mapped_column(Float, default=0.5)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class VolumeHistory(Base):
    """Imported history: contacts that arrived in one interval (starting at `start_at`) and
    their average handle time, for the time before kefu took the contacts. Where a row
    exists it wins over the count from kefu's own tickets for that interval."""

    __tablename__ = "workforce_history"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("workforce_queues.id", ondelete="CASCADE"))
    start_at: Mapped[datetime] = mapped_column(UtcDateTime)
    contacts: Mapped[int] = mapped_column(Integer)
    aht_seconds: Mapped[float | None] = mapped_column(Float)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("queue_id", "start_at"),)


class ForecastRun(Base):
    """One forecast of a queue: the model the backtest chose, its WAPE and every model's
    (`backtest`: {model: wape}), the measured handle time and the band's width."""

    __tablename__ = "workforce_forecast_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("workforce_queues.id", ondelete="CASCADE"))
    model: Mapped[str] = mapped_column(String(40))
    wape: Mapped[float | None] = mapped_column(Float)
    backtest: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    history_from_at: Mapped[datetime] = mapped_column(UtcDateTime)
    history_to_at: Mapped[datetime] = mapped_column(UtcDateTime)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    measured_aht_seconds: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (Index("ix_workforce_forecast_runs_queue_id_id", "queue_id", "id"),)


class ForecastInterval(Base):
    """The model's forecast for one interval, before events, holidays and overrides (those
    are applied when read, so a change to them shows without a new run)."""

    __tablename__ = "workforce_forecast_intervals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("workforce_forecast_runs.id", ondelete="CASCADE")
    )
    start_at: Mapped[datetime] = mapped_column(UtcDateTime)
    volume: Mapped[float] = mapped_column(Float)
    low: Mapped[float] = mapped_column(Float)
    high: Mapped[float] = mapped_column(Float)

    __table_args__ = (UniqueConstraint("run_id", "start_at"),)


class ForecastEvent(Audited, Base):
    """A campaign or other known event: the forecast of every interval starting in
    [starts_at, ends_at) is multiplied by `multiplier` (11.11 from 20:00 ×4). A null queue
    means every queue."""

    __tablename__ = "workforce_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    queue_id: Mapped[int | None] = mapped_column(
        ForeignKey("workforce_queues.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    multiplier: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ForecastOverride(Audited, Base):
    """A manager's volume for one interval: it replaces the forecast, across new runs,
    until removed."""

    __tablename__ = "workforce_overrides"

    id: Mapped[int] = mapped_column(primary_key=True)
    queue_id: Mapped[int] = mapped_column(ForeignKey("workforce_queues.id", ondelete="CASCADE"))
    start_at: Mapped[datetime] = mapped_column(UtcDateTime)
    volume: Mapped[float] = mapped_column(Float)
    note: Mapped[str] = mapped_column(String(500), default="")
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("queue_id", "start_at"),)
