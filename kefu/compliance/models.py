"""The audit log's table."""

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Base, BigId, JsonDoc, UtcDateTime
from kefu.kit.clock import utcnow


class AuditEntry(Base):
    """Who did what to which record, when, with each changed field's before and after."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_ref: Mapped[str] = mapped_column(String(120))
    actor_name: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    changes: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)

    # Every listing is newest first (ORDER BY id DESC), so each filter's index ends in id.
    __table_args__ = (
        Index("ix_audit_entries_entity", "entity_type", "entity_id", "id"),
        Index("ix_audit_entries_entity_type_id", "entity_type", "id"),
        Index("ix_audit_entries_actor_ref_id", "actor_ref", "id"),
        Index("ix_audit_entries_occurred_at", "occurred_at"),
    )
