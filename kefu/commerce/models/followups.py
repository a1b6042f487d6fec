"""Proactive follow-up rules (unpaid orders, delivery problems, after delivery) and who
asked not to receive them."""

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Audited, Base, BigId, UtcDateTime
from kefu.kit.clock import utcnow


class FollowUpRule(Audited, Base):
    """An opt-in rule: `kind` is unpaid_reminder | delivery_exception | delivery_checkin;
    it writes to a customer `delay_hours` after its trigger, at most `daily_cap` a day."""

    __tablename__ = "follow_up_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    is_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    delay_hours: Mapped[int] = mapped_column(Integer, default=24)
    daily_cap: Mapped[int] = mapped_column(Integer, default=100)
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("store_id", "kind"),)


class FollowUpSend(Base):
    """A follow-up written (once per rule and order, whatever the retries)."""

    __tablename__ = "follow_up_sends"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    rule_id: Mapped[int] = mapped_column(ForeignKey("follow_up_rules.id", ondelete="CASCADE"))
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    sent_on: Mapped[date] = mapped_column(Date)  # in the store's time zone, for the daily cap
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        UniqueConstraint("rule_id", "order_id"),
        Index("ix_follow_up_sends_rule_id_sent_on", "rule_id", "sent_on"),
    )


class FollowUpOptOut(Base):
    """A customer who unsubscribed from a store's proactive follow-ups."""

    __tablename__ = "follow_up_opt_outs"

    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True
    )
    store_id: Mapped[int] = mapped_column(
        ForeignKey("stores.id", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
