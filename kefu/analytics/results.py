"""What the analytics queries return: plain dataclasses (never ORM objects)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

# Backlog age buckets: (key, fewest days, most days or None)
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("lt_1d", 0, 0),
    ("1_3d", 1, 2),
    ("3_7d", 3, 6),
    ("7_30d", 7, 29),
    ("gt_30d", 30, None),
)


@dataclass(frozen=True, slots=True)
class Overview:
    """Every headline figure of a range; durations in seconds, percentages 0–100, None
    when there is nothing to measure (no solved tickets, no ratings)."""

    created: int
    solved: int
    backlog: int  # open tickets now (not in the range: the live figure)
    backlog_by_age: list[tuple[str, int]]  # (AGE_BUCKETS key, open tickets of that age)
    frt_median: float | None
    frt_mean: float | None
    frt_business_median: float | None
    frt_business_mean: float | None
    resolution_median: float | None
    resolution_mean: float | None
    resolution_business_median: float | None
    resolution_business_mean: float | None
    next_reply_mean: float | None
    next_reply_business_mean: float | None
    requester_wait_mean: float | None
    requester_wait_business_mean: float | None
    on_hold_mean: float | None
    agent_work_mean: float | None
    replies_per_solved: float | None
    one_touch_pct: float | None
    first_contact_pct: float | None
    reopened_pct: float | None
    sla_achieved: int
    sla_breached: int
    sla_achieved_pct: float | None
    csat_good: int
    csat_bad: int
    csat_pct: float | None
    nps: float | None
    nps_responses: int
    assignee_hops_mean: float | None
    team_hops_mean: float | None


@dataclass(frozen=True, slots=True)
class Point:
    """One bucket of a series: the first day of the day/week/month and each metric."""

    bucket: date
    values: dict[str, float | None]


@dataclass(frozen=True, slots=True)
class BreakdownRow:
    """One value of a breakdown (`key` as stored: an id as text for team/agent/store)."""

    key: str
    created: int
    solved: int
    frt_mean: float | None
    frt_median: float | None
    resolution_mean: float | None
    resolution_median: float | None
    replies_per_solved: float | None
    one_touch_pct: float | None
    reopened_pct: float | None
    sla_achieved_pct: float | None
    csat_good: int
    csat_bad: int
    csat_pct: float | None


@dataclass(frozen=True, slots=True)
class ReasonCount:
    reason: str
    count: int


@dataclass(frozen=True, slots=True)
class CommerceFigures:
    """Refunds and returns in the range (money in minor units per currency), pre-sale
    conversion within `presale_days` and product review grades."""

    orders: int
    refunds: int
    refund_amounts: dict[str, int]  # currency -> minor units
    refund_rate_pct: float | None  # refunded orders / orders placed in the range
    returns: int
    return_rate_pct: float | None  # returns opened / orders placed in the range
    return_reasons: list[ReasonCount]
    presale_days: int
    presale_conversations: int
    presale_converted: int
    presale_conversion_pct: float | None
    reviews: int
    positive_review_pct: float | None
    negative_review_pct: float | None
    business_response_mean: float | None  # average reply time in business hours (seconds)


@dataclass(frozen=True, slots=True)
class DrillRow:
    ticket_id: int
    subject: str
    status: str
    channel: str
    team_id: int | None
    assignee_id: int | None
    created_at: datetime
    solved_at: datetime | None
    first_reply_seconds: int | None
    resolution_seconds: int | None
    replies: int
    reopens: int
    csat: str | None


@dataclass(frozen=True, slots=True)
class TicketPage:
    items: list[DrillRow]
    page: int
    pages: int
    total: int
    per_page: int = 50
    metric: str = ""
    extra: dict[str, str] = field(default_factory=dict)
