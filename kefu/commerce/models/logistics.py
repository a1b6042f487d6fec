"""Carriers, tracking events and monthly reconciliations of carrier invoices."""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Audited, Base, BigId, JsonDoc, UtcDateTime
from kefu.kit.clock import utcnow


class Carrier(Audited, Base):
    """A carrier and its public tracking page: `tracking_url` holds "{number}"."""

    __tablename__ = "carriers"
    __audit_redact__ = frozenset({"webhook_secret_enc"})

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)  # "ups", "sf-express"
    name: Mapped[str] = mapped_column(String(200))
    tracking_url: Mapped[str] = mapped_column(String(1000), default="")
    webhook_secret_enc: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class TrackingEvent(Base):
    """One scan of a shipment, from the connector, a carrier webhook or a CSV feed;
    unique per (fulfilment, time, status) so a feed imported twice adds nothing."""

    __tablename__ = "tracking_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    fulfilment_id: Mapped[int] = mapped_column(
        ForeignKey("fulfilments.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(500), default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    happened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    source: Mapped[str] = mapped_column(String(20), default="connector")  # |webhook|csv
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("fulfilment_id", "happened_at", "status"),)


class Reconciliation(Base):
    """One carrier invoice (CSV) checked against kefu's shipments for a month (物流对账):
    `lines` keeps every finding (missing, duplicate, weight or fee difference)."""

    __tablename__ = "reconciliations"

    id: Mapped[int] = mapped_column(primary_key=True)
    carrier_id: Mapped[int] = mapped_column(ForeignKey("carriers.id", ondelete="CASCADE"))
    month: Mapped[str] = mapped_column(String(7))  # "2026-10"
    file_name: Mapped[str] = mapped_column(String(300), default="")
    summary: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    lines: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
