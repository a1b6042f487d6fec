"""The normalized inbound message every channel adapter produces."""

from functools import lru_cache
from typing import Any

from pydantic import BaseModel, EmailStr, Field, model_validator
from pydantic.networks import validate_email

from kefu.kit.bounds import BigRowId, RowId
from kefu.kit.clock import UtcTime
from kefu.tickets.schemas import AttachmentIn, Channel, Priority


@lru_cache(maxsize=8192)  # bulk ingest meets the same senders and CCs again and again
def _normalized_email(value: str) -> str:
    return validate_email(value)[1]  # raises for an invalid address (never cached)


class KnownEmailStr(EmailStr):
    """EmailStr (same validation, result and JSON schema) with its result remembered per
    address: validating an address costs ~0.3 ms, twice per ingested mail."""

    @classmethod
    def _validate(cls, input_value: str, /) -> str:
        return _normalized_email(input_value)


class Sender(BaseModel):
    email: KnownEmailStr | None = None
    phone: str | None = Field(default=None, max_length=40)
    chat_visitor: str | None = Field(default=None, max_length=320)
    store_ref: str | None = Field(default=None, max_length=320)
    name: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _someone(self) -> "Sender":
        if not (self.email or self.phone or self.chat_visitor or self.store_ref):
            raise ValueError("the sender needs an email, phone, chat_visitor or store_ref")
        return self


class InboundMessage(BaseModel):
    """What arrived, from whom, and the hints for finding its conversation.

    `source_id` is the source's own id (email Message-ID, chat message id, call id); ingest is
    idempotent on (channel, source_id). `references` are source ids of earlier messages in the
    same thread (email In-Reply-To/References); `ticket_id` is a direct hint (a subject token
    or a chat session already bound to a ticket)."""

    channel: Channel
    source_id: str = Field(min_length=1, max_length=500)
    sender: Sender
    subject: str = Field(default="", max_length=2000)
    body_text: str = Field(default="", max_length=1_000_000)
    body_html: str | None = Field(default=None, max_length=5_000_000)
    received_at: UtcTime | None = None
    ticket_id: BigRowId | None = None
    references: list[str] = Field(default_factory=list, max_length=200)
    cc_emails: list[KnownEmailStr] = Field(default_factory=list, max_length=100)
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=100)
    store_id: RowId | None = None
    details: dict[str, Any] = Field(default_factory=dict)
    thread_by_subject: bool = Field(
        default=False,
        description="with no hint or reference found, continue the sender's recent ticket with "
        "the same subject (reply prefixes and ticket tokens ignored)",
    )
    is_automated: bool = Field(
        default=False,
        description="an auto-reply, bounce or list mail: stored, but it reopens nothing and "
        "automation does not answer it",
    )
    tags: list[str] = Field(default_factory=list, max_length=20, description="for a new ticket")
    priority: Priority | None = Field(
        default=None,
        description="for a new ticket (the sender's urgency: an email's X-Priority or "
        "Importance, a contact form's choice); normal when absent",
    )
    sender_agent_id: RowId | None = Field(
        default=None,
        description="the sender is this agent, writing from their own address: on a ticket "
        "it continues, the message is stored as the agent's (already delivered) reply",
    )

    @model_validator(mode="after")
    def _has_content(self) -> "InboundMessage":
        has_text = self.body_text.strip() or (self.body_html or "").strip()
        if not has_text and not self.attachments and not self.subject.strip():
            raise ValueError("an inbound message needs a subject, text, HTML or an attachment")
        return self


class IngestResult(BaseModel):
    ticket_id: int
    message_id: int
    customer_id: int
    is_new_ticket: bool
    is_duplicate: bool
