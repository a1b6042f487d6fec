"""The macros table."""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Audited, Base, JsonDoc, UtcDateTime
from kefu.kit.clock import utcnow


class Macro(Audited, Base):
    """A reply or internal note with template variables, and the ticket changes it makes.

    `owner_id` None is a shared macro (managed with "macros.manage"); otherwise it is that
    agent's personal macro. `bodies` holds the template per language ({"en": ..., "zh_Hans":
    ...}); `actions` the ticket changes as `kefu.automation.ticket_changes` stores them."""

    __tablename__ = "macros"
    __audit_ignore__ = frozenset({"usage_count", "last_used_at", "updated_at", "search_text"})

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    folder: Mapped[str] = mapped_column(String(200), default="")
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10), default="reply")  # reply | note
    bodies: Mapped[dict[str, str]] = mapped_column(JsonDoc, default=dict)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JsonDoc, default=list)
    # name, folder and bodies in lower case: what the picker's search looks in
    search_text: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    usage_count: Mapped[int] = mapped_column(Integer, default=0)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (Index(None, "owner_id", "folder", "name"),)
