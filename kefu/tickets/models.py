"""The tickets domain's tables: tickets, messages, attachments, tags, custom fields, links."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import UNMANAGED_SCHEMA_NAMES, Audited, Base, BigId, JsonDoc, UtcDateTime
from kefu.kit.clock import utcnow


class Ticket(Audited, Base):
    """One customer request and its conversation; its id is the number agents quote (#1234).

    `updated_at` moves on every message and change: inbox views sort by it. A deleted
    ticket keeps its row (`deleted_at`) so an admin can restore it; a merged one points at
    the ticket that absorbed it."""

    __tablename__ = "tickets"
    __audit_ignore__ = frozenset(
        {"updated_at", "last_message_at", "message_count", "sla_due_at", "ai_intent",
         "ai_sentiment", "ai_urgency", "ai_language"}
    )  # fmt: skip

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(10), default="new")
    priority: Mapped[str] = mapped_column(String(10), default="normal")
    type: Mapped[str | None] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(20), default="web")
    store_id: Mapped[int | None] = mapped_column(Integer)
    requester_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_message_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    solved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("tickets.id", ondelete="SET NULL")
    )
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # the soonest due time of the ticket's running SLA clocks, kept by the sla domain
    sla_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # what kefu.ai read from the latest customer message (or an agent set), for filters
    ai_intent: Mapped[str | None] = mapped_column(String(64))
    ai_sentiment: Mapped[str | None] = mapped_column(String(10))
    ai_urgency: Mapped[str | None] = mapped_column(String(10))
    ai_language: Mapped[str | None] = mapped_column(String(8))

    __table_args__ = (
        # The inbox: a status (or two) newest-updated first, optionally per assignee/team.
        Index(None, "status", "updated_at", "id"),
        Index(None, "assignee_id", "status", "updated_at", "id"),
        Index(None, "team_id", "status", "updated_at", "id"),
        Index(None, "requester_id", "created_at"),
        # an email without threading headers looks for its sender's recently active ticket
        Index("ix_tickets_requester_id_updated_at", "requester_id", "updated_at"),
        Index(None, "updated_at", "id"),
        Index(None, "priority", "status"),
        # Sorts by creation per status, "Recently solved", due dates (migration 0003).
        Index("ix_tickets_status_created_at", "status", "created_at", "id"),
        Index("ix_tickets_solved_at", "solved_at", "id"),
        Index("ix_tickets_due_at", "due_at", "id"),
        # "Breaches soonest" (migration 0006).
        Index("ix_tickets_sla_due_at", "sla_due_at", "id"),
        # the AI filters: an intent (or an urgency) with the unsolved statuses (migration 0018)
        Index("ix_tickets_ai_intent", "ai_intent", "status"),
        Index("ix_tickets_ai_urgency", "ai_urgency", "status"),
        # "Unassigned": PostgreSQL cannot read the assignee index in order after IS NULL.
        Index(
            "ix_tickets_unassigned",
            "status",
            "updated_at",
            "id",
            postgresql_where=text("assignee_id IS NULL"),
            sqlite_where=text("assignee_id IS NULL"),
        ),
        # The admins' Deleted view: a handful of rows among a million.
        Index(
            "ix_tickets_deleted_at",
            "deleted_at",
            "id",
            postgresql_where=text("deleted_at IS NOT NULL"),
            sqlite_where=text("deleted_at IS NOT NULL"),
        ),
    )


class Message(Audited, Base):
    """A public reply or an internal note on a ticket.

    `body_html` is always sanitized before it is stored. (channel, source_id) is unique:
    ingesting the same email or chat message twice finds the first copy."""

    __tablename__ = "messages"
    __audit_redact__ = frozenset({"body_text", "body_html"})

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10), default="reply")  # reply | note
    author_type: Mapped[str] = mapped_column(String(10))  # customer | agent | system
    author_customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    author_agent_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="SET NULL")
    )
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(20), default="web")
    source_id: Mapped[str | None] = mapped_column(String(500))
    details: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (
        Index(None, "ticket_id", "id"),
        Index(None, "author_customer_id", "created_at"),
        UniqueConstraint("channel", "source_id"),
    )


class Attachment(Base):
    """A file on a message; the bytes live in the file store under their SHA-256."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    content_id: Mapped[str | None] = mapped_column(String(255))  # cid: of an inline image
    is_inline: Mapped[bool] = mapped_column(Boolean, default=False)


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)


class TicketTag(Base):
    __tablename__ = "ticket_tags"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class TicketFollower(Base):
    """An agent who is notified of a ticket's activity without being its assignee."""

    __tablename__ = "ticket_followers"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class TicketCc(Base):
    """A customer copied on the ticket's public replies (an email CC)."""

    __tablename__ = "ticket_ccs"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    customer_id: Mapped[int] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class TicketLink(Base):
    """Two related tickets (stored once per direction so either side lists it)."""

    __tablename__ = "ticket_links"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    linked_ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CustomField(Audited, Base):
    """An admin-defined ticket field: text, number, dropdown, date or checkbox."""

    __tablename__ = "custom_fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200))
    field_type: Mapped[str] = mapped_column(String(10))
    options: Mapped[list[str]] = mapped_column(JsonDoc, default=list)
    is_required_on_solve: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class TicketFieldValue(Base):
    """A ticket's value for a custom field: `value` as text (ISO date, "true"/"false"),
    numbers also in `number_value` so views can compare them."""

    __tablename__ = "ticket_field_values"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    field_id: Mapped[int] = mapped_column(
        ForeignKey("custom_fields.id", ondelete="CASCADE"), primary_key=True
    )
    value: Mapped[str] = mapped_column(String(1000))
    number_value: Mapped[Decimal | None] = mapped_column(Numeric(20, 6))

    __table_args__ = (Index(None, "field_id", "value"),)


class SavedView(Audited, Base):
    """A custom inbox view: filters and a sort, personal (`owner_id`) or shared (none)."""

    __tablename__ = "saved_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), index=True
    )
    filters: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    sort: Mapped[str] = mapped_column(String(30), default="updated_desc")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Notification(Base):
    """An in-app notice for one agent: assigned to you, mentioned, customer replied."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    message_id: Mapped[int | None] = mapped_column(BigId)
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    event_id: Mapped[int | None] = mapped_column(BigId)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index(None, "agent_id", "read_at", "id"),
        # One notice per event and agent: a handler that runs twice adds nothing.
        UniqueConstraint("event_id", "agent_id", "kind"),
    )


class TicketSearchDocument(Base):
    """A ticket's search tokens (kefu.kit.search_text): subject, replies and notes, the
    requester's name, e-mails and phone numbers. Rewritten whole by the search handlers.

    PostgreSQL: `document` is a positional tsvector under a GIN index. SQLite: `document` is
    the tokens as text, the content of the FTS5 table `ticket_search_fts`, which triggers keep
    in step. Both indexes are made by migration 0003 and left out of the model comparison."""

    __tablename__ = "ticket_search_documents"

    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    document: Mapped[str] = mapped_column(Text().with_variant(postgresql.TSVECTOR(), "postgresql"))


SEARCH_FTS_TABLE = "ticket_search_fts"
SEARCH_GIN_INDEX = "ix_ticket_search_documents_document"
UNMANAGED_SCHEMA_NAMES.update({SEARCH_FTS_TABLE, SEARCH_GIN_INDEX})
