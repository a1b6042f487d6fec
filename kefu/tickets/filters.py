"""What an inbox view or a search asks for (TicketFilter) and the WHERE clauses it becomes."""

import re
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import ColumnElement, Select, and_, exists, not_, or_, select

from kefu.customers.queries import ids_with_identity
from kefu.errors import InvalidInput
from kefu.kit.actor import Actor
from kefu.kit.bounds import RowId
from kefu.kit.clock import UtcTime, utcnow
from kefu.kit.i18n import gettext as _
from kefu.kit.search_text import query_terms
from kefu.kit.tags import normalize_tag
from kefu.tickets.models import CustomField, Tag, Ticket, TicketFieldValue, TicketTag
from kefu.tickets.schemas import Channel, Priority, Status, TicketType
from kefu.tickets.search_index import text_match

FieldOp = Literal["eq", "ne", "lt", "gt", "set", "unset"]
# what kefu.ai reads from customer messages (tickets.ai_*); intents are the store's own keys
AI_SENTIMENTS = ("negative", "neutral", "positive")
AI_URGENCIES = ("high", "elevated", "normal")
AI_LANGUAGES = ("en", "zh", "other")
_INTENT_KEY = re.compile(r"^[a-z][a-z0-9_]{1,63}$")

STATUSES = tuple(status.value for status in Status)
PRIORITIES = tuple(priority.value for priority in Priority)  # low … urgent
OPEN_STATUSES = ("new", "open")
UNSOLVED_STATUSES = ("new", "open", "pending", "on_hold")
MAX_LIST = 50


def _number(value: str) -> Decimal | None:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


class FieldCondition(BaseModel):
    """A custom field test: eq/ne/lt/gt a value (numbers compare as numbers, ISO dates as
    text), or set/unset. `ne` also matches tickets where the field is not set."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(min_length=1, max_length=64)
    op: FieldOp
    value: str | None = Field(default=None, max_length=1000)

    @field_validator("value", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value) if isinstance(value, int | float | Decimal) else value

    @model_validator(mode="after")
    def _value_fits_op(self) -> "FieldCondition":
        if self.op in ("set", "unset") and self.value is not None:
            raise ValueError(f"{self.op} takes no value")
        if self.op not in ("set", "unset") and self.value is None:
            raise ValueError(f"{self.op} needs a value")
        if self.op in ("lt", "gt") and _number(self.value or "") is None:
            try:
                datetime.fromisoformat(self.value or "")
            except ValueError:
                raise ValueError(f"{self.op} compares numbers or ISO dates") from None
        return self


class TicketFilter(BaseModel):
    """Conditions a ticket must all meet; an empty list or None means "any".

    Saved views store this as JSON (`filters`), so field names are part of the format."""

    model_config = ConfigDict(extra="forbid")

    statuses: list[Status] = Field(default_factory=list, max_length=len(Status))
    priorities: list[Priority] = Field(default_factory=list, max_length=len(Priority))
    types: list[TicketType] = Field(default_factory=list, max_length=len(TicketType))
    channels: list[Channel] = Field(default_factory=list, max_length=len(Channel))
    store_ids: list[RowId] = Field(default_factory=list, max_length=MAX_LIST)
    assignee: RowId | Literal["me", "none"] | None = None
    team_id: RowId | None = None
    requester_id: RowId | None = None
    requester_email: str | None = Field(default=None, max_length=320)
    tags_all: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    tags_none: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    fields: list[FieldCondition] = Field(default_factory=list, max_length=MAX_LIST)
    created_after: UtcTime | None = None
    created_before: UtcTime | None = None
    updated_after: UtcTime | None = None
    updated_before: UtcTime | None = None
    solved_after: UtcTime | None = None
    older_than_hours: int | None = Field(default=None, ge=1, le=24 * 365 * 10)
    has_due_date: bool | None = None
    is_overdue: bool | None = None
    # SLA (kefu.sla keeps tickets.sla_due_at): a running clock past due / due within N minutes
    sla_breached: bool | None = None
    sla_due_within_minutes: int | None = Field(default=None, ge=1, le=60 * 24 * 31)
    # kefu.ai's reading of the ticket (its latest customer message, or an agent's intent)
    intents: list[str] = Field(default_factory=list, max_length=MAX_LIST)
    sentiments: list[Literal["negative", "neutral", "positive"]] = Field(
        default_factory=list, max_length=3
    )
    urgencies: list[Literal["high", "elevated", "normal"]] = Field(
        default_factory=list, max_length=3
    )
    languages: list[Literal["en", "zh", "other"]] = Field(default_factory=list, max_length=3)
    text: str | None = Field(default=None, max_length=500)
    deleted: bool = False

    @field_validator(
        "statuses",
        "priorities",
        "types",
        "channels",
        "store_ids",
        "sentiments",
        "urgencies",
        "languages",
    )
    @classmethod
    def _unique(cls, values: list[Any]) -> list[Any]:
        return list(dict.fromkeys(values))

    @field_validator("intents")
    @classmethod
    def _intents(cls, values: list[str]) -> list[str]:
        bad = [v for v in values if not _INTENT_KEY.match(v)]
        if bad:
            raise ValueError(f"not an intent: {bad[0]!r}")
        return list(dict.fromkeys(values))

    @field_validator("tags_all", "tags_none")
    @classmethod
    def _tags(cls, values: list[str]) -> list[str]:
        try:
            return list(dict.fromkeys(normalize_tag(value) for value in values))
        except InvalidInput as exc:
            raise ValueError(exc.message) from None

    @field_validator("text")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None


def _assignee_clause(assignee: int | str, actor: Actor) -> ColumnElement[bool]:
    if assignee == "none":
        return Ticket.assignee_id.is_(None)
    if assignee == "me":
        if actor.agent_id is None:
            raise InvalidInput(_("“assigned to me” needs a signed-in agent"))
        return Ticket.assignee_id == actor.agent_id
    return Ticket.assignee_id == assignee


def _tag_exists(names: list[str]) -> ColumnElement[bool]:
    return exists(
        select(TicketTag.ticket_id)
        .join(Tag, Tag.id == TicketTag.tag_id)
        .where(TicketTag.ticket_id == Ticket.id, Tag.name.in_(names))
    )


def _field_clause(condition: FieldCondition) -> ColumnElement[bool]:
    def has_value(*tests: ColumnElement[bool]) -> ColumnElement[bool]:
        return exists(
            select(TicketFieldValue.ticket_id)
            .join(CustomField, CustomField.id == TicketFieldValue.field_id)
            .where(
                TicketFieldValue.ticket_id == Ticket.id, CustomField.key == condition.key, *tests
            )
        )

    if condition.op == "set":
        return has_value()
    if condition.op == "unset":
        return not_(has_value())
    raw = condition.value or ""
    number = _number(raw)
    if condition.op in ("eq", "ne"):
        same = (
            or_(
                TicketFieldValue.number_value == number,
                and_(TicketFieldValue.number_value.is_(None), TicketFieldValue.value == raw),
            )
            if number is not None
            else TicketFieldValue.value == raw
        )
        return has_value(same) if condition.op == "eq" else not_(has_value(same))
    if number is not None:
        column, bound = TicketFieldValue.number_value, number
        return has_value(column < bound if condition.op == "lt" else column > bound)
    text_column = TicketFieldValue.value
    return has_value(text_column < raw if condition.op == "lt" else text_column > raw)


def visible_clause(spec: TicketFilter) -> ColumnElement[bool]:
    """Merged tickets never show; deleted ones only in the deleted view."""
    deleted = Ticket.deleted_at.is_not(None) if spec.deleted else Ticket.deleted_at.is_(None)
    return and_(deleted, Ticket.merged_into_id.is_(None))


def filter_clauses(
    spec: TicketFilter, *, actor: Actor, now: datetime | None = None
) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a filter, visibility included."""
    now = now or utcnow()
    clauses: list[ColumnElement[bool]] = [visible_clause(spec)]
    for column, values in (
        (Ticket.status, spec.statuses),
        (Ticket.priority, spec.priorities),
        (Ticket.type, spec.types),
        (Ticket.channel, spec.channels),
        (Ticket.store_id, spec.store_ids),
        (Ticket.ai_intent, spec.intents),
        (Ticket.ai_sentiment, spec.sentiments),
        (Ticket.ai_urgency, spec.urgencies),
        (Ticket.ai_language, spec.languages),
    ):
        if len(values) == 1:
            clauses.append(column == values[0])
        elif values:
            clauses.append(column.in_(values))
    if spec.assignee is not None:
        clauses.append(_assignee_clause(spec.assignee, actor))
    if spec.team_id is not None:
        clauses.append(Ticket.team_id == spec.team_id)
    if spec.requester_id is not None:
        clauses.append(Ticket.requester_id == spec.requester_id)
    if spec.requester_email is not None:
        clauses.append(Ticket.requester_id.in_(ids_with_identity("email", spec.requester_email)))
    clauses.extend(_tag_exists([tag]) for tag in spec.tags_all)
    if spec.tags_none:
        clauses.append(not_(_tag_exists(spec.tags_none)))
    clauses.extend(_field_clause(condition) for condition in spec.fields)
    for column, after, before in (
        (Ticket.created_at, spec.created_after, spec.created_before),
        (Ticket.updated_at, spec.updated_after, spec.updated_before),
    ):
        if after is not None:
            clauses.append(column >= after)
        if before is not None:
            clauses.append(column < before)
    if spec.solved_after is not None:
        clauses.append(Ticket.solved_at >= spec.solved_after)
    if spec.older_than_hours is not None:
        clauses.append(Ticket.created_at < now - timedelta(hours=spec.older_than_hours))
    if spec.has_due_date is not None:
        has_due = Ticket.due_at.is_not(None)
        clauses.append(has_due if spec.has_due_date else Ticket.due_at.is_(None))
    if spec.is_overdue is not None:
        if spec.is_overdue:
            clauses.append(and_(Ticket.due_at < now, Ticket.status.in_(UNSOLVED_STATUSES)))
        else:
            clauses.append(
                or_(
                    Ticket.due_at.is_(None),
                    Ticket.due_at >= now,
                    Ticket.status.not_in(UNSOLVED_STATUSES),
                )
            )
    if spec.sla_breached is not None:
        breached = Ticket.sla_due_at <= now
        clauses.append(
            breached if spec.sla_breached else or_(Ticket.sla_due_at.is_(None), not_(breached))
        )
    if spec.sla_due_within_minutes is not None:
        soon = now + timedelta(minutes=spec.sla_due_within_minutes)
        clauses.append(and_(Ticket.sla_due_at > now, Ticket.sla_due_at <= soon))
    if spec.text:
        terms = query_terms(spec.text)
        if not terms:
            raise InvalidInput(_("nothing to search for in “%(text)s”", text=spec.text))
        clauses.append(text_match(Ticket.id, terms))
    return clauses


def apply_filter(
    statement: Select[Any], spec: TicketFilter, *, actor: Actor, now: datetime | None = None
) -> Select[Any]:
    """`statement` (selecting from tickets) narrowed to the tickets the filter matches."""
    return statement.where(*filter_clauses(spec, actor=actor, now=now))
