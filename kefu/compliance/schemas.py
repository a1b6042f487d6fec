"""What crosses the API for the audit log."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    occurred_at: datetime
    actor_kind: str
    actor_ref: str
    actor_name: str
    action: str
    entity_type: str
    entity_id: str | None
    changes: dict[str, Any]


class AuditPage(BaseModel):
    items: list[AuditEntryRead]
    next_cursor: int | None
