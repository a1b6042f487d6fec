"""Tickets: create, update, status rules, messages, permissions, delete and restore."""

import pytest
from sqlalchemy import func, select

from kefu.accounts.service import actor_for
from kefu.compliance.models import AuditEntry
from kefu.db import Database
from kefu.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kefu.events import Event
from kefu.kit.actor import Actor
from kefu.permissions import Role
from kefu.tickets import service
from kefu.tickets.details import load_thread
from kefu.tickets.messages import add_message, list_messages
from kefu.tickets.models import Message, Ticket
from kefu.tickets.schemas import MessageCreate, TicketUpdate
from tests.accounts.factories import make_admin, make_agent
from tests.tickets.factories import make_ticket, receive


def _ticket(database: Database, ticket_id: int) -> Ticket:
    with database.unit_of_work() as session:
        return session.get(Ticket, ticket_id)


def test_agent_creates_ticket_for_new_customer_with_tags(database: Database) -> None:
    agent = make_agent(database)
    # when
    ticket = make_ticket(
        database, actor=actor_for(agent), email="new@example.com", tags=["Refund", "refund", "VIP"]
    )
    # then
    with database.unit_of_work() as session:
        thread = load_thread(session, actor=actor_for(agent), ticket_id=ticket.id)
    assert thread.read.tags == ["refund", "vip"]
    assert [i.value for i in thread.identities] == ["new@example.com"]
    assert [(m.kind, m.author_agent_id) for m in thread.messages] == [("note", agent.id)]


def test_assigning_a_new_ticket_opens_it_and_emits_the_change(database: Database) -> None:
    agent = make_agent(database)
    ticket = make_ticket(database)
    # when
    with database.unit_of_work(actor=actor_for(agent)) as session:
        service.update_ticket(
            session,
            actor=actor_for(agent),
            ticket_id=ticket.id,
            data=TicketUpdate(assignee_id=agent.id),
        )
    # then
    with database.unit_of_work() as session:
        event = session.scalars(
            select(Event).where(Event.type == "ticket.updated").order_by(Event.id.desc())
        ).first()
        audit = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "tickets.updated")
            .order_by(AuditEntry.id.desc())
        ).first()
    assert event.payload["changes"] == {"assignee_id": [None, agent.id], "status": ["new", "open"]}
    assert audit.actor_ref == f"agent:{agent.id}"
    assert audit.changes["assignee_id"] == [None, agent.id]
    assert _ticket(database, ticket.id).status == "open"


def test_light_agent_writes_notes_but_not_replies(database: Database) -> None:
    light = make_agent(database, role=Role.LIGHT_AGENT)
    ticket = make_ticket(database)
    with database.unit_of_work() as session:
        add_message(
            session,
            actor=actor_for(light),
            ticket_id=ticket.id,
            data=MessageCreate(kind="note", body_text="FYI"),
        )
    with database.unit_of_work() as session, pytest.raises(PermissionDenied):
        add_message(
            session, actor=actor_for(light), ticket_id=ticket.id, data=MessageCreate(body_text="Hi")
        )
    with database.unit_of_work() as session:
        assert [m.body_text for m in list_messages(session, ticket.id)] == [
            "Please refund my order.",
            "FYI",
        ]


def test_html_is_sanitized_and_text_derived(database: Database) -> None:
    agent = make_agent(database)
    ticket = make_ticket(database)
    with database.unit_of_work() as session:
        message = add_message(
            session,
            actor=actor_for(agent),
            ticket_id=ticket.id,
            data=MessageCreate(
                body_html='<p onclick="steal()">Hello <b>there</b></p><script>x()</script>'
            ),
        )
    assert message.body_html == "<p>Hello <b>there</b></p>"
    assert message.body_text == "Hello there"


def test_mentions_only_in_notes_and_only_active_agents(database: Database) -> None:
    agent = make_agent(database)
    colleague = make_agent(database, email="c@example.com", name="Colleague")
    ticket = make_ticket(database)
    with database.unit_of_work() as session, pytest.raises(InvalidInput, match="internal notes"):
        add_message(
            session,
            actor=actor_for(agent),
            ticket_id=ticket.id,
            data=MessageCreate(body_text="hi", mentions=[colleague.id]),
        )
    with database.unit_of_work() as session:
        note = add_message(
            session,
            actor=actor_for(agent),
            ticket_id=ticket.id,
            data=MessageCreate(kind="note", body_text="@Colleague look", mentions=[colleague.id]),
        )
        event = session.scalars(
            select(Event).where(Event.type == "message.added").order_by(Event.id.desc())
        ).first()
    assert note.details == {"mentions": [colleague.id]}
    assert event.payload["mentions"] == [colleague.id]


def test_required_field_blocks_solving_until_filled(database: Database) -> None:
    from kefu.tickets.fields import create_field
    from kefu.tickets.schemas import CustomFieldCreate

    admin = make_admin(database)
    with database.unit_of_work() as session:
        create_field(
            session,
            actor=actor_for(admin),
            data=CustomFieldCreate(
                key="reason",
                label="Contact reason",
                field_type="dropdown",
                options=["refund", "delivery"],
                is_required_on_solve=True,
            ),
        )
    ticket = make_ticket(database)
    with database.unit_of_work() as session, pytest.raises(InvalidInput, match="Contact reason"):
        service.update_ticket(
            session, actor=actor_for(admin), ticket_id=ticket.id, data=TicketUpdate(status="solved")
        )
    assert _ticket(database, ticket.id).status == "new"
    with database.unit_of_work() as session, pytest.raises(InvalidInput, match="not one of"):
        service.update_ticket(
            session,
            actor=actor_for(admin),
            ticket_id=ticket.id,
            data=TicketUpdate(fields={"reason": "other"}),
        )
    with database.unit_of_work() as session:
        service.update_ticket(
            session,
            actor=actor_for(admin),
            ticket_id=ticket.id,
            data=TicketUpdate(fields={"reason": "refund"}, status="solved"),
        )
    solved = _ticket(database, ticket.id)
    assert solved.status == "solved" and solved.solved_at is not None


@pytest.mark.parametrize(
    ("field_type", "raw", "stored"),
    [
        ("number", "12.50", 12.5),
        ("number", 3, 3),
        ("checkbox", "on", True),
        ("date", "2026-01-31", "2026-01-31"),
    ],
)
def test_custom_field_values_are_typed(
    database: Database, field_type: str, raw: object, stored: object
) -> None:
    from kefu.tickets.fields import create_field, current_values
    from kefu.tickets.schemas import CustomFieldCreate

    with database.unit_of_work() as session:
        create_field(
            session,
            actor=Actor.system(),
            data=CustomFieldCreate(key="f", label="F", field_type=field_type),
        )
    ticket = make_ticket(database)
    with database.unit_of_work() as session:
        service.update_ticket(
            session, actor=Actor.system(), ticket_id=ticket.id, data=TicketUpdate(fields={"f": raw})
        )
    with database.unit_of_work() as session:
        assert current_values(session, [ticket.id])[ticket.id] == {"f": stored}


def test_closed_ticket_is_read_only(database: Database) -> None:
    agent = make_agent(database)
    ticket = make_ticket(database)
    with database.unit_of_work() as session:
        service.update_ticket(
            session, actor=actor_for(agent), ticket_id=ticket.id, data=TicketUpdate(status="closed")
        )
    with database.unit_of_work() as session, pytest.raises(Conflict, match="closed"):
        service.update_ticket(
            session, actor=actor_for(agent), ticket_id=ticket.id, data=TicketUpdate(priority="high")
        )
    assert _ticket(database, ticket.id).priority == "normal"


def test_assignee_must_be_an_active_full_agent(database: Database) -> None:
    agent = make_agent(database)
    light = make_agent(database, email="l@example.com", role=Role.LIGHT_AGENT)
    ticket = make_ticket(database)
    for bad, reason in ((light.id, "light agent"), (99999, "not found")):
        with (
            database.unit_of_work() as session,
            pytest.raises((InvalidInput, NotFound), match=reason),
        ):
            service.update_ticket(
                session,
                actor=actor_for(agent),
                ticket_id=ticket.id,
                data=TicketUpdate(assignee_id=bad),
            )
    assert _ticket(database, ticket.id).assignee_id is None


def test_only_admins_delete_and_restore(database: Database) -> None:
    agent = make_agent(database)
    admin = make_admin(database)
    ticket = make_ticket(database)
    with database.unit_of_work() as session, pytest.raises(PermissionDenied):
        service.delete_ticket(session, actor=actor_for(agent), ticket_id=ticket.id)
    with database.unit_of_work() as session:
        service.delete_ticket(session, actor=actor_for(admin), ticket_id=ticket.id)
    with database.unit_of_work() as session, pytest.raises(NotFound):
        service.read_ticket(session, actor=actor_for(agent), ticket_id=ticket.id)
    with database.unit_of_work() as session:
        assert service.read_ticket(session, actor=actor_for(admin), ticket_id=ticket.id).deleted_at
        service.restore_ticket(session, actor=actor_for(admin), ticket_id=ticket.id)
    assert _ticket(database, ticket.id).deleted_at is None


def test_merge_moves_messages_and_closes_sources(database: Database) -> None:
    agent = make_agent(database)
    one = receive(database, email="a@example.com", subject="Order 1")
    two = receive(database, email="b@example.com", subject="Order 1 again")
    from kefu.tickets.merge import merge_tickets

    with database.unit_of_work() as session:
        merge_tickets(
            session, actor=actor_for(agent), target_id=one.ticket_id, source_ids=[two.ticket_id]
        )
    with database.unit_of_work() as session:
        target = session.get(Ticket, one.ticket_id)
        source = session.get(Ticket, two.ticket_id)
        kinds = [(m.author_type, m.kind) for m in list_messages(session, one.ticket_id)]
        ccs = service.ccs_of(session, one.ticket_id)
    assert kinds == [("customer", "reply"), ("customer", "reply"), ("system", "note")]
    assert (target.message_count, source.status, source.merged_into_id) == (
        3,
        "closed",
        one.ticket_id,
    )
    assert ccs == [two.customer_id]
    with database.unit_of_work() as session, pytest.raises(Conflict, match="merged"):
        merge_tickets(
            session, actor=actor_for(agent), target_id=one.ticket_id, source_ids=[two.ticket_id]
        )


def test_split_moves_one_message_to_a_linked_ticket(database: Database) -> None:
    agent = make_agent(database)
    first = receive(database, source_id="<s1@x>")
    second = receive(
        database, source_id="<s2@x>", references=("<s1@x>",), text="Also: can I change my address?"
    )
    from kefu.tickets.merge import linked_ids, split_message

    with database.unit_of_work() as session:
        new = split_message(
            session, actor=actor_for(agent), ticket_id=first.ticket_id, message_id=second.message_id
        )
    with database.unit_of_work() as session:
        moved = session.get(Message, second.message_id)
        assert moved.ticket_id == new.id
        assert linked_ids(session, first.ticket_id) == [new.id]
        assert session.get(Ticket, first.ticket_id).message_count == 1
        assert session.scalar(select(func.count()).select_from(Ticket)) == 2
