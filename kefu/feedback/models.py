"""The feedback domain's tables: survey settings, CSAT surveys and ratings, NPS campaigns
and the NPS surveys sent to customers."""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Audited, Base, JsonDoc, UtcDateTime
from kefu.kit.clock import utcnow


class FeedbackSettings(Audited, Base):
    """The one row (id 1) of survey settings. `csat_channels`: the ticket channels whose
    solved tickets get a survey (it always goes out by email); `csat_scale`: "good_bad" or
    "five"; `csat_reasons`: [{"key", "en", "zh"}] offered with the rating."""

    __tablename__ = "feedback_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    csat_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    csat_delay_minutes: Mapped[int] = mapped_column(Integer, default=60)
    csat_channels: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    csat_scale: Mapped[str] = mapped_column(String(10), default="good_bad")
    csat_reasons: Mapped[list[dict[str, str]]] = mapped_column(JsonDoc, default=list)
    link_days: Mapped[int] = mapped_column(Integer, default=14)
    nps_detractor_ticket: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class CsatSurvey(Audited, Base):
    """One survey per solve of a ticket (ticket, solved_at unique): scheduled when the ticket
    is solved, then sent, skipped (with the reason) or cancelled (reopened before the delay)."""

    __tablename__ = "csat_surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    solved_at: Mapped[datetime] = mapped_column(UtcDateTime)
    channel: Mapped[str] = mapped_column(String(20), default="email")
    scale: Mapped[str] = mapped_column(String(10), default="good_bad")
    status: Mapped[str] = mapped_column(String(12), default="scheduled")
    skip_reason: Mapped[str | None] = mapped_column(String(40))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    message_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("ticket_id", "solved_at"),
        Index(None, "status", "due_at"),
    )


class CsatRating(Audited, Base):
    """The customer's answer to one survey: one row, updated when they change their mind
    (the audit log keeps each version), so a survey counts once."""

    __tablename__ = "csat_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(
        ForeignKey("csat_surveys.id", ondelete="CASCADE"), unique=True
    )
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    rating: Mapped[str] = mapped_column(String(4))  # good | bad (a score of 4–5 is good)
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str | None] = mapped_column(String(40))
    changes: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class NpsCampaign(Audited, Base):
    """Who is asked "how likely are you to recommend us": `audience` "delivered" (a
    delivery in the last `delivered_within_days`) or "all" (every customer with an email);
    `sample_percent` of them, none asked twice within `throttle_days` (any campaign)."""

    __tablename__ = "nps_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("stores.id", ondelete="SET NULL"))
    audience: Mapped[str] = mapped_column(String(12), default="delivered")
    delivered_within_days: Mapped[int] = mapped_column(Integer, default=14)
    sample_percent: Mapped[int] = mapped_column(Integer, default=100)
    throttle_days: Mapped[int] = mapped_column(Integer, default=90)
    language: Mapped[str] = mapped_column(String(10), default="en")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    starts_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class NpsSurvey(Base):
    """One customer asked by one campaign, and their answer (0–10 and a comment)."""

    __tablename__ = "nps_surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("nps_campaigns.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(10), default="queued")  # queued | sent | failed
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    follow_up_ticket_id: Mapped[int | None] = mapped_column(Integer)
    details: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)

    __table_args__ = (
        Index(None, "customer_id", "sent_at"),
        Index(None, "campaign_id", "customer_id"),
    )


class ProductReview(Audited, Base):
    """A customer's review of a product, from the store (WooCommerce), a signed webhook or a
    marketplace export; (store, source, external id) is unique, so a repeated import updates
    instead of duplicating. `grade`: good | neutral | bad (好评/中评/差评, or from the stars);
    a neutral or bad one gets one follow-up ticket, whose `outcome` the agent records."""

    __tablename__ = "product_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(100))
    product_ref: Mapped[str] = mapped_column(String(100), default="")
    product_name: Mapped[str] = mapped_column(String(300), default="")
    rating: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text, default="")
    reviewer_name: Mapped[str] = mapped_column(String(200), default="")
    reviewer_email: Mapped[str] = mapped_column(String(320), default="")
    order_number: Mapped[str] = mapped_column(String(100), default="")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    order_id: Mapped[int | None] = mapped_column(Integer)
    follow_up_ticket_id: Mapped[int | None] = mapped_column(Integer, index=True)
    outcome: Mapped[str | None] = mapped_column(String(20))
    public_reply: Mapped[str] = mapped_column(Text, default="")
    outcome_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    first_follow_up_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reviewed_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("store_id", "source", "external_id"),)
