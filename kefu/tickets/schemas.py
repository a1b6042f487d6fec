"""What crosses the API for tickets, messages, tags and custom fields."""

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from kefu.kit.i18n import N_


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    ON_HOLD = "on_hold"
    SOLVED = "solved"
    CLOSED = "closed"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class TicketType(StrEnum):
    QUESTION = "question"
    INCIDENT = "incident"
    PROBLEM = "problem"
    TASK = "task"
    COMPLAINT = "complaint"


class Channel(StrEnum):
    EMAIL = "email"
    CHAT = "chat"
    PHONE = "phone"
    API = "api"
    WEB = "web"


STATUS_LABELS = {
    Status.NEW: N_("New"),
    Status.OPEN: N_("Open"),
    Status.PENDING: N_("Pending"),
    Status.ON_HOLD: N_("On-hold"),
    Status.SOLVED: N_("Solved"),
    Status.CLOSED: N_("Closed"),
}
PRIORITY_LABELS = {
    Priority.LOW: N_("Low"),
    Priority.NORMAL: N_("Normal"),
    Priority.HIGH: N_("High"),
    Priority.URGENT: N_("Urgent"),
}
TYPE_LABELS = {
    TicketType.QUESTION: N_("Question"),
    TicketType.INCIDENT: N_("Incident"),
    TicketType.PROBLEM: N_("Problem"),
    TicketType.TASK: N_("Task"),
    TicketType.COMPLAINT: N_("Complaint"),
}
CHANNEL_LABELS = {
    Channel.EMAIL: N_("Email"),
    Channel.CHAT: N_("Chat"),
    Channel.PHONE: N_("Phone"),
    Channel.API: N_("API"),
    Channel.WEB: N_("Web"),
}

MessageKind = Literal["reply", "note"]
FieldType = Literal["text", "number", "dropdown", "date", "checkbox"]
FieldValue = str | float | int | bool | date | None


class AttachmentIn(BaseModel):
    """A file already put in the file store (by the API route or a channel adapter)."""

    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(default="application/octet-stream", max_length=200)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    content_id: str | None = Field(default=None, max_length=255)
    is_inline: bool = False


class MessageCreate(BaseModel):
    kind: MessageKind = "reply"
    body_text: str = Field(default="", max_length=200_000)
    body_html: str | None = Field(default=None, max_length=1_000_000)
    mentions: list[int] = Field(default_factory=list, max_length=50, description="agent ids")
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=50)
    status: Status | None = Field(default=None, description="set the ticket status with it")

    @model_validator(mode="after")
    def _has_content(self) -> "MessageCreate":
        has_text = self.body_text.strip() or (self.body_html or "").strip()
        if not has_text and not self.attachments:
            raise ValueError("a message needs a text, HTML or an attachment")
        return self


class RequesterIn(BaseModel):
    """Who the ticket is for: an existing customer, or an address to find or create one."""

    customer_id: int | None = None
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=40)
    name: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _one_way(self) -> "RequesterIn":
        if self.customer_id is None and not self.email and not self.phone:
            raise ValueError("give the requester's customer_id, email or phone")
        return self


class TicketCreate(BaseModel):
    subject: str = Field(min_length=1, max_length=500)
    requester: RequesterIn
    message: MessageCreate | None = None
    status: Status = Status.NEW
    priority: Priority = Priority.NORMAL
    type: TicketType | None = None
    channel: Channel = Channel.WEB
    store_id: int | None = None
    assignee_id: int | None = None
    team_id: int | None = None
    tags: list[str] = Field(default_factory=list, max_length=50)
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    due_at: datetime | None = None


class TicketUpdate(BaseModel):
    """Only the fields sent change; `null` clears assignee, team, type, due date or a field."""

    subject: str | None = Field(default=None, min_length=1, max_length=500)
    status: Status | None = None
    priority: Priority | None = None
    type: TicketType | None = None
    assignee_id: int | None = None
    team_id: int | None = None
    tags: list[str] | None = Field(default=None, max_length=50)
    add_tags: list[str] = Field(default_factory=list, max_length=50)
    remove_tags: list[str] = Field(default_factory=list, max_length=50)
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    due_at: datetime | None = None
    follower_ids: list[int] | None = Field(default=None, max_length=50)
    cc_emails: list[EmailStr] | None = Field(default=None, max_length=50)
    store_id: int | None = None


class AttachmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    filename: str
    content_type: str
    size: int
    content_id: str | None
    is_inline: bool


class MessageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    ticket_id: int
    kind: MessageKind
    author_type: Literal["customer", "agent", "system"]
    author_customer_id: int | None
    author_agent_id: int | None
    body_text: str
    body_html: str | None
    channel: str
    source_id: str | None
    created_at: datetime
    attachments: list[AttachmentRead] = Field(default_factory=list)


class TicketRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    subject: str
    status: Status
    priority: Priority
    type: TicketType | None
    channel: str
    store_id: int | None
    requester_id: int
    assignee_id: int | None
    team_id: int | None
    due_at: datetime | None
    created_at: datetime
    updated_at: datetime
    solved_at: datetime | None
    message_count: int
    merged_into_id: int | None
    deleted_at: datetime | None
    tags: list[str] = Field(default_factory=list)
    fields: dict[str, FieldValue] = Field(default_factory=dict)
    follower_ids: list[int] = Field(default_factory=list)
    cc_customer_ids: list[int] = Field(default_factory=list)
    linked_ticket_ids: list[int] = Field(default_factory=list)


class CustomFieldCreate(BaseModel):
    key: str = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")
    label: str = Field(min_length=1, max_length=200)
    field_type: FieldType
    options: list[str] = Field(default_factory=list, max_length=200)
    is_required_on_solve: bool = False
    position: int = 0


class CustomFieldUpdate(BaseModel):
    label: str | None = Field(default=None, min_length=1, max_length=200)
    options: list[str] | None = Field(default=None, max_length=200)
    is_required_on_solve: bool | None = None
    is_active: bool | None = None
    position: int | None = None


class CustomFieldRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key: str
    label: str
    field_type: FieldType
    options: list[str]
    is_required_on_solve: bool
    is_active: bool
    position: int


class TagCount(BaseModel):
    name: str
    ticket_count: int


class TicketMerge(BaseModel):
    source_ids: list[int] = Field(min_length=1, max_length=100)


class TicketSplit(BaseModel):
    message_id: int
