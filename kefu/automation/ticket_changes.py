"""The ticket changes a macro or a rule makes: one schema, checked when saved, applied
through the tickets service so they are validated, audited and evented like an agent's."""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.errors import InvalidInput, NotFound
from kefu.kit.actor import Actor
from kefu.kit.bounds import RowId
from kefu.tickets import fields as custom_fields
from kefu.tickets import service as tickets
from kefu.tickets.panels import PanelTicket as Ticket
from kefu.tickets.schemas import FieldValue, Priority, Status, TicketType, TicketUpdate

TagList = Annotated[list[Annotated[str, Field(min_length=1, max_length=100)]], Field(min_length=1)]


class _Change(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SetStatus(_Change):
    type: Literal["set_status"] = "set_status"
    status: Status


class SetPriority(_Change):
    type: Literal["set_priority"] = "set_priority"
    priority: Priority


class SetType(_Change):
    type: Literal["set_type"] = "set_type"
    ticket_type: TicketType | None


class AddTags(_Change):
    type: Literal["add_tags"] = "add_tags"
    tags: TagList


class RemoveTags(_Change):
    type: Literal["remove_tags"] = "remove_tags"
    tags: TagList


class SetField(_Change):
    """A custom field by key; `None` clears it."""

    type: Literal["set_field"] = "set_field"
    key: str = Field(min_length=1, max_length=64)
    value: FieldValue


class Assign(_Change):
    """To a team, an agent, or both; a team alone leaves the pick to the team's assignment
    method. `agent_id` None with `unassign` clears the assignee."""

    type: Literal["assign"] = "assign"
    team_id: RowId | None = None
    agent_id: RowId | None = None
    unassign: bool = False

    @model_validator(mode="after")
    def _says_who(self) -> "Assign":
        if self.team_id is None and self.agent_id is None and not self.unassign:
            raise ValueError("assign needs a team, an agent, or unassign")
        return self


TicketChange = Annotated[
    SetStatus | SetPriority | SetType | AddTags | RemoveTags | SetField | Assign,
    Field(discriminator="type"),
]
CHANGE_TYPES = (
    "set_status",
    "set_priority",
    "set_type",
    "add_tags",
    "remove_tags",
    "set_field",
    "assign",
)
_changes = TypeAdapter(list[TicketChange])


def _reason(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])


def parse_changes(session: Session, raw: list[dict[str, Any]]) -> list[TicketChange]:
    """The changes as typed objects, or InvalidInput naming the first wrong one: an unknown
    kind, status or custom field, a value the field cannot hold, a team or agent that is gone."""
    try:
        changes = _changes.validate_python(raw)
    except ValidationError as exc:
        raise InvalidInput(f"ticket change {_reason(exc)}") from None
    fields: dict[str, Any] | None = None  # read only when a change sets a field
    for change in changes:
        if isinstance(change, SetField):
            if fields is None:
                listed = custom_fields.list_fields(session, include_inactive=True)
                fields = {f.key: f for f in listed}
            if change.key not in fields:
                raise InvalidInput(f"unknown custom field: {change.key}")
            custom_fields.parse_value(fields[change.key], change.value)
        elif isinstance(change, Assign):
            try:
                if change.team_id is not None:
                    accounts.get_team(session, change.team_id)
                if change.agent_id is not None:
                    accounts.get_agent(session, change.agent_id)
            except NotFound as exc:
                raise InvalidInput(str(exc)) from None
    return changes


def as_ticket_update(changes: list[TicketChange]) -> TicketUpdate:
    """One TicketUpdate holding every change, later ones winning over earlier ones."""
    sent: dict[str, Any] = {}
    add: list[str] = []
    remove: list[str] = []
    values: dict[str, FieldValue] = {}
    for change in changes:
        match change:
            case SetStatus():
                sent["status"] = change.status
            case SetPriority():
                sent["priority"] = change.priority
            case SetType():
                sent["type"] = change.ticket_type
            case AddTags():
                add += change.tags
                remove = [t for t in remove if t not in change.tags]
            case RemoveTags():
                remove += change.tags
                add = [t for t in add if t not in change.tags]
            case SetField():
                values[change.key] = change.value
            case Assign():
                if change.team_id is not None:
                    sent["team_id"] = change.team_id
                if change.agent_id is not None or change.unassign:
                    sent["assignee_id"] = change.agent_id
    return TicketUpdate(**sent, add_tags=add, remove_tags=remove, fields=values)


def apply_changes(
    session: Session, *, actor: Actor, ticket_id: int, changes: list[TicketChange]
) -> Ticket:
    """Apply the changes as one ticket update (one `ticket.updated` event, one audit entry)."""
    if not changes:
        return tickets.editable_ticket(session, ticket_id)
    return tickets.update_ticket(
        session, actor=actor, ticket_id=ticket_id, data=as_ticket_update(changes)
    )
