"""Admin-defined custom fields and the typed values tickets hold for them."""

from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kefu.errors import Conflict, InvalidInput, NotFound
from kefu.kit.actor import Actor
from kefu.permissions import require
from kefu.tickets.models import CustomField, TicketFieldValue
from kefu.tickets.schemas import CustomFieldCreate, CustomFieldUpdate, FieldValue


def list_fields(session: Session, *, include_inactive: bool = False) -> list[CustomField]:
    statement = select(CustomField).order_by(CustomField.position, CustomField.id)
    if not include_inactive:
        statement = statement.where(CustomField.is_active.is_(True))
    return list(session.scalars(statement))


def get_field(session: Session, field_id: int) -> CustomField:
    field = session.get(CustomField, field_id)
    if field is None:
        raise NotFound(f"custom field {field_id} not found")
    return field


def _clean_options(field_type: str, options: list[str]) -> list[str]:
    cleaned = list(dict.fromkeys(option.strip() for option in options if option.strip()))
    if field_type == "dropdown" and not cleaned:
        raise InvalidInput("a dropdown field needs at least one option")
    if field_type != "dropdown" and cleaned:
        raise InvalidInput("only dropdown fields have options")
    return cleaned


def create_field(session: Session, *, actor: Actor, data: CustomFieldCreate) -> CustomField:
    require(actor, "settings.manage")
    if session.scalar(select(CustomField.id).where(CustomField.key == data.key)) is not None:
        raise Conflict(f"a custom field with the key {data.key!r} already exists")
    field = CustomField(
        key=data.key,
        label=data.label.strip(),
        field_type=data.field_type,
        options=_clean_options(data.field_type, data.options),
        is_required_on_solve=data.is_required_on_solve,
        position=data.position,
        is_active=True,
    )
    session.add(field)
    session.flush()
    return field


def update_field(
    session: Session, *, actor: Actor, field_id: int, data: CustomFieldUpdate
) -> CustomField:
    require(actor, "settings.manage")
    field = get_field(session, field_id)
    values = data.model_dump(exclude_unset=True, exclude_none=True)
    if "options" in values:
        values["options"] = _clean_options(field.field_type, values["options"])
    for name, value in values.items():
        setattr(field, name, value)
    session.flush()
    return field


def parse_value(field: CustomField, raw: FieldValue) -> tuple[str, Decimal | None] | None:
    """The stored (text, number) form of a value, or None to clear; InvalidInput names the
    field and what it expects."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    kind = field.field_type
    if kind == "checkbox":
        if isinstance(raw, bool):
            return ("true" if raw else "false", None)
        if isinstance(raw, str) and raw.strip().lower() in ("true", "false", "1", "0", "on"):
            return ("true" if raw.strip().lower() in ("true", "1", "on") else "false", None)
        raise InvalidInput(f"{field.key}: expected true or false")
    if kind == "number":
        try:
            number = Decimal(str(raw).strip())
        except InvalidOperation as exc:
            raise InvalidInput(f"{field.key}: expected a number, got {raw!r}") from exc
        if isinstance(raw, bool) or not number.is_finite() or abs(number) >= Decimal(10**14):
            raise InvalidInput(f"{field.key}: expected a number, got {raw!r}")
        return (format(number.normalize(), "f"), number)
    if kind == "date":
        try:
            day = raw if isinstance(raw, date) else date.fromisoformat(str(raw).strip())
        except ValueError as exc:
            raise InvalidInput(f"{field.key}: expected a date like 2026-01-31") from exc
        return (day.isoformat(), None)
    text = str(raw).strip()
    if kind == "dropdown" and text not in field.options:
        raise InvalidInput(f"{field.key}: {text!r} is not one of {', '.join(field.options)}")
    if len(text) > 1000:
        raise InvalidInput(f"{field.key}: at most 1000 characters")
    return (text, None)


def display_value(field: CustomField, text: str) -> FieldValue:
    """The API form of a stored value: bool for checkboxes, number for numbers."""
    if field.field_type == "checkbox":
        return text == "true"
    if field.field_type == "number":
        number = Decimal(text)
        return int(number) if number == number.to_integral_value() else float(number)
    return text


def set_values(
    session: Session, *, ticket_id: int, values: dict[str, FieldValue]
) -> dict[str, list[FieldValue]]:
    """Write a ticket's field values by key; returns {key: [before, after]} of real changes."""
    if not values:
        return {}
    fields = {f.key: f for f in list_fields(session, include_inactive=True)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise InvalidInput(f"unknown custom field: {', '.join(unknown)}")
    current = current_values(session, [ticket_id]).get(ticket_id, {})
    changes: dict[str, list[FieldValue]] = {}
    for key, raw in values.items():
        field = fields[key]
        parsed = parse_value(field, raw)
        before = current.get(key)
        after = None if parsed is None else display_value(field, parsed[0])
        if before == after:
            continue
        session.execute(
            delete(TicketFieldValue).where(
                TicketFieldValue.ticket_id == ticket_id, TicketFieldValue.field_id == field.id
            )
        )
        if parsed is not None:
            session.add(
                TicketFieldValue(
                    ticket_id=ticket_id, field_id=field.id, value=parsed[0], number_value=parsed[1]
                )
            )
        changes[key] = [before, after]
    session.flush()
    return changes


def current_values(session: Session, ticket_ids: list[int]) -> dict[int, dict[str, FieldValue]]:
    """Field values per ticket, keyed by field key: one query for a page of tickets."""
    result: dict[int, dict[str, FieldValue]] = {tid: {} for tid in ticket_ids}
    if not ticket_ids:
        return result
    rows = session.execute(
        select(TicketFieldValue, CustomField)
        .join(CustomField, CustomField.id == TicketFieldValue.field_id)
        .where(TicketFieldValue.ticket_id.in_(ticket_ids))
    )
    for value, field in rows:
        result[value.ticket_id][field.key] = display_value(field, value.value)
    return result


def missing_on_solve(session: Session, ticket_id: int) -> list[str]:
    """Labels of active required-on-solve fields the ticket has no value for."""
    have = current_values(session, [ticket_id])[ticket_id]
    return [
        f.label
        for f in list_fields(session)
        if f.is_required_on_solve and have.get(f.key) in (None, "")
    ]
