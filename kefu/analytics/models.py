"""The analytics domain's tables: one metrics row per ticket (kept from its events by the
handler in kefu.analytics.jobs) and the hourly rollups dashboards read.

A rollup row is one UTC hour (`hour` = seconds since the epoch // 3600) of one dimension
value: `dim` "all" (key ""), "agent", "team", "channel", "store", "type", "priority", "tag"
or "intent" (key the value as text). Its measures are sums of the per-ticket figures, each
counted in the hour of the moment it belongs to (created, first reply, solved, rated); see
docs/metrics.md."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Base, BigId, JsonDoc, UtcDateTime
from kefu.kit.clock import utcnow

# Upper bounds (seconds) of the fixed histogram bins kept for first reply and resolution
# times; a last bin holds everything longer. Medians are read from these (docs/metrics.md).
HIST_BOUNDS = (
    300,
    900,
    1800,
    3600,
    2 * 3600,
    4 * 3600,
    8 * 3600,
    12 * 3600,
    24 * 3600,
    2 * 86400,
    3 * 86400,
    5 * 86400,
    7 * 86400,
    14 * 86400,
    30 * 86400,
)
HIST_BINS = len(HIST_BOUNDS) + 1
HISTOGRAMS = ("frt", "frt_b", "res", "res_b")  # calendar and business first reply, resolution

# The summed measures of a rollup row, in the order the handler and rebuild write them.
SUMS = (
    "created",
    "solved",
    "frt_count",
    "frt_sum",
    "frt_bsum",
    "res_sum",
    "res_bsum",
    "nrt_count",
    "nrt_sum",
    "nrt_bsum",
    "wait_sum",
    "wait_bsum",
    "hold_sum",
    "hold_bsum",
    "work_sum",
    "work_bsum",
    "replies",
    "one_touch",
    "first_contact",
    "reopened",
    "reopens",
    "assignee_hops",
    "team_hops",
    "sla_achieved",
    "sla_breached",
    "csat_good",
    "csat_bad",
)
HIST_COLUMNS = tuple(f"{name}_h{i}" for name in HISTOGRAMS for i in range(HIST_BINS))
MEASURES = SUMS + HIST_COLUMNS


# the open tickets' index: their age, and what the backlog is most often filtered by
BACKLOG_COLUMNS = ("created_at", "is_gone", "team_id", "assignee_id", "channel", "store_id")


class TicketMetrics(Base):
    """One ticket's figures, recomputed whole from its event history whenever one of its
    events arrives (so a late or repeated event changes nothing it should not). Durations
    are seconds, calendar and `_business` (the ticket's team's business hours)."""

    __tablename__ = "analytics_ticket_metrics"

    ticket_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    # what the ticket is now (its dimensions)
    status: Mapped[str] = mapped_column(String(10), default="new")
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    is_gone: Mapped[bool] = mapped_column(Boolean, default=False)  # deleted or merged away
    channel: Mapped[str] = mapped_column(String(20), default="web")
    store_id: Mapped[int | None] = mapped_column(Integer)
    team_id: Mapped[int | None] = mapped_column(Integer)
    assignee_id: Mapped[int | None] = mapped_column(Integer)
    requester_id: Mapped[int | None] = mapped_column(Integer)
    type: Mapped[str | None] = mapped_column(String(20))
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    tags: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    intent: Mapped[str | None] = mapped_column(String(60))
    # moments
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    first_reply_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    solved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # the last solve
    csat_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # durations (seconds)
    first_reply_seconds: Mapped[int | None] = mapped_column(Integer)
    first_reply_business: Mapped[int | None] = mapped_column(Integer)
    next_reply_count: Mapped[int] = mapped_column(Integer, default=0)
    next_reply_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    next_reply_business: Mapped[int] = mapped_column(BigInteger, default=0)
    next_replies: Mapped[list[list[int]]] = mapped_column(JsonDoc, default=list)  # [cal, bus]
    resolution_seconds: Mapped[int | None] = mapped_column(Integer)
    resolution_business: Mapped[int | None] = mapped_column(Integer)
    requester_wait_seconds: Mapped[int] = mapped_column(Integer, default=0)
    requester_wait_business: Mapped[int] = mapped_column(Integer, default=0)
    on_hold_seconds: Mapped[int] = mapped_column(Integer, default=0)
    on_hold_business: Mapped[int] = mapped_column(Integer, default=0)
    agent_wait_seconds: Mapped[int] = mapped_column(Integer, default=0)  # pending
    agent_wait_business: Mapped[int] = mapped_column(Integer, default=0)
    agent_work_seconds: Mapped[int] = mapped_column(Integer, default=0)  # new + open
    agent_work_business: Mapped[int] = mapped_column(Integer, default=0)
    # counts and flags
    replies: Mapped[int] = mapped_column(Integer, default=0)
    customer_messages: Mapped[int] = mapped_column(Integer, default=0)
    reopens: Mapped[int] = mapped_column(Integer, default=0)
    assignee_hops: Mapped[int] = mapped_column(Integer, default=0)
    team_hops: Mapped[int] = mapped_column(Integer, default=0)
    one_touch: Mapped[bool] = mapped_column(Boolean, default=False)
    first_contact: Mapped[bool] = mapped_column(Boolean, default=False)
    sla: Mapped[dict[str, str]] = mapped_column(JsonDoc, default=dict)  # metric: achieved|breached
    sla_achieved: Mapped[int] = mapped_column(Integer, default=0)
    sla_breached: Mapped[int] = mapped_column(Integer, default=0)
    csat: Mapped[str | None] = mapped_column(String(4))  # good | bad
    last_event_id: Mapped[int] = mapped_column(BigInteger, default=0)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        Index(None, "created_at", "ticket_id"),
        Index(None, "solved_at", "ticket_id"),
        Index(None, "requester_id", "created_at"),
        Index(None, "first_reply_at"),
        Index(None, "csat_at"),
        # drill-downs of a leaderboard row; with channel and is_gone, the exact path counts
        # a team's or an agent's created tickets of a channel from the index alone
        Index(None, "assignee_id", "created_at", "channel", "is_gone"),
        Index(None, "team_id", "created_at", "channel", "is_gone"),
        # the exact path (two filters) under a team or an agent reads only their tickets'
        # first replies and solves of the range
        Index("ix_analytics_ticket_metrics_team_first_reply", "team_id", "first_reply_at"),
        Index("ix_analytics_ticket_metrics_team_solved", "team_id", "solved_at"),
        Index("ix_analytics_ticket_metrics_agent_first_reply", "assignee_id", "first_reply_at"),
        Index("ix_analytics_ticket_metrics_agent_solved", "assignee_id", "solved_at"),
        # the backlog: the open tickets by age (each database's spelling of the condition
        # the queries write, so the planner sees it implies the index's)
        # (with the filters the backlog is most often read under: counted from the index)
        Index(
            "ix_analytics_ticket_metrics_open",
            *BACKLOG_COLUMNS,
            postgresql_where=text("is_open"),
            sqlite_where=text("is_open = 1"),
        ),
    )


def _rollup_columns() -> list[Column[Any]]:
    return [Column(name, BigInteger, nullable=False, server_default="0") for name in MEASURES]


rollups = Table(
    "analytics_rollups",
    Base.metadata,
    Column("dim", String(10), primary_key=True),
    Column("key", String(100), primary_key=True),
    Column("hour", BigInteger, primary_key=True),
    *_rollup_columns(),
    sqlite_with_rowid=False,  # rows kept in key order: a range of hours is read in one run
)
