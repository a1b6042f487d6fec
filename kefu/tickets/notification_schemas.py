"""What crosses the API for notifications."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from kefu.tickets.notifications import MAX_MARK_IDS, Kind


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: Kind
    ticket_id: int | None
    message_id: int | None
    actor_name: str
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    items: list[NotificationRead]
    next_cursor: int | None
    unread_count: int


class MarkRead(BaseModel):
    """Either some ids or all: true."""

    ids: list[int] | None = Field(default=None, max_length=MAX_MARK_IDS)
    all: bool = False


class MarkReadResult(BaseModel):
    marked: int
    unread_count: int
