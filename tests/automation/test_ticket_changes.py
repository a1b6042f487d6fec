"""The ticket changes macros and rules share: refused when wrong, applied as one update."""

import pytest

from kefu.automation.ticket_changes import (
    AddTags,
    Assign,
    SetField,
    SetStatus,
    apply_changes,
    parse_changes,
)
from kefu.db import Database
from kefu.errors import InvalidInput
from kefu.kit.actor import Actor
from kefu.tickets import fields, service
from kefu.tickets.schemas import CustomFieldCreate
from tests.tickets.factories import make_ticket


def _field(database: Database) -> None:
    with database.unit_of_work(actor=Actor.system()) as session:
        fields.create_field(
            session,
            actor=Actor.system(),
            data=CustomFieldCreate(key="order_value", label="Order value", field_type="number"),
        )


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ([{"type": "explode"}], "ticket change 0: Input tag 'explode'"),
        ([{"type": "set_status", "status": "done"}], "ticket change 0.set_status.status"),
        ([{"type": "set_field", "key": "colour", "value": "red"}], "unknown custom field: colour"),
        (
            [{"type": "set_field", "key": "order_value", "value": "lots"}],
            "order_value: expected a number",
        ),
        ([{"type": "assign", "team_id": 999}], "team 999"),
        ([{"type": "assign"}], "assign needs a team, an agent, or unassign"),
        ([{"type": "add_tags", "tags": []}], "ticket change 0.add_tags.tags"),
    ],
)
def test_a_wrong_change_is_refused_with_its_reason(
    database: Database, raw: list[dict[str, object]], reason: str
) -> None:
    # given
    _field(database)
    # when
    with (
        database.unit_of_work(actor=Actor.system()) as session,
        pytest.raises(InvalidInput) as refused,
    ):
        parse_changes(session, raw)
    # then
    assert reason in str(refused.value)


def test_changes_apply_as_one_update(database: Database) -> None:
    # given
    _field(database)
    ticket = make_ticket(database, tags=["refund"])
    raw = [
        {"type": "set_status", "status": "pending"},
        {"type": "add_tags", "tags": ["vip", "escalated"]},
        {"type": "remove_tags", "tags": ["refund", "vip"]},
        {"type": "set_field", "key": "order_value", "value": 120.5},
        {"type": "set_priority", "priority": "urgent"},
    ]
    # when
    with database.unit_of_work(actor=Actor.system()) as session:
        changes = parse_changes(session, raw)
        apply_changes(session, actor=Actor.system(), ticket_id=ticket.id, changes=changes)
    # then
    with database.unit_of_work(actor=Actor.system()) as session:
        after = service.get_ticket(session, ticket.id)
        assert (after.status, after.priority) == ("pending", "urgent")
        assert service.tags_of(session, [ticket.id])[ticket.id] == ["escalated"]
        assert fields.current_values(session, [ticket.id])[ticket.id] == {"order_value": 120.5}
    assert isinstance(changes[0], SetStatus) and isinstance(changes[1], AddTags)
    assert isinstance(changes[3], SetField) and not any(isinstance(c, Assign) for c in changes)
