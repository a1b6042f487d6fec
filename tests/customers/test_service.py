"""Customers: identities normalized and unique, identification, updates, merge."""

import pytest
from sqlalchemy import func, select

from kefu.accounts.service import actor_for
from kefu.customers import service
from kefu.customers.models import Customer, CustomerIdentity
from kefu.customers.schemas import CustomerUpdate, IdentityIn
from kefu.db import Database
from kefu.errors import Conflict, InvalidInput, PermissionDenied
from kefu.kit.actor import Actor
from kefu.permissions import Role
from kefu.tickets.models import Message, Ticket
from tests.accounts.factories import make_agent
from tests.customers.factories import make_customer
from tests.tickets.factories import receive


def test_identify_finds_customer_by_any_spelling_of_the_address(database: Database) -> None:
    customer = make_customer(
        database, emails=("Emily.Chen@Example.COM",), phones=("+86 138-0013-8000",)
    )
    with database.unit_of_work() as session:
        by_email = service.identify(session, email=" emily.chen@example.com ")
        by_phone = service.identify(session, phone="0086 13800138000")
    assert by_email.id == by_phone.id == customer.id


def test_identify_adds_new_identities_to_a_known_customer(database: Database) -> None:
    customer = make_customer(database, emails=("a@example.com",))
    with database.unit_of_work() as session:
        found = service.identify(session, email="a@example.com", phone="+1 415 555 0100")
    with database.unit_of_work() as session:
        kinds = {
            i.kind: i.value for i in service.identities_of(session, [customer.id])[customer.id]
        }
    assert found.id == customer.id
    assert kinds == {"email": "a@example.com", "phone": "+14155550100"}


def test_identity_belongs_to_one_customer(database: Database) -> None:
    make_customer(database, emails=("a@example.com",))
    other = make_customer(database, name="Other", emails=("b@example.com",))
    with database.unit_of_work() as session, pytest.raises(Conflict, match="already belongs"):
        service.add_identity(
            session,
            actor=Actor.system(),
            customer_id=other.id,
            data=IdentityIn(kind="email", value="A@example.com"),
        )


@pytest.mark.parametrize(
    ("kind", "value"), [("email", "not-an-address"), ("phone", "12"), ("phone", "call me")]
)
def test_bad_identity_values_are_refused(database: Database, kind: str, value: str) -> None:
    customer = make_customer(database)
    with database.unit_of_work() as session, pytest.raises(InvalidInput):
        service.add_identity(
            session,
            actor=Actor.system(),
            customer_id=customer.id,
            data=IdentityIn(kind=kind, value=value),
        )
    with database.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(CustomerIdentity)) == 1


def test_update_normalizes_tags_and_records_changes(database: Database) -> None:
    agent = make_agent(database)
    customer = make_customer(database)
    with database.unit_of_work() as session:
        service.update_customer(
            session,
            actor=actor_for(agent),
            customer_id=customer.id,
            data=CustomerUpdate(tags=["VIP", " big spender ", "vip"], is_vip=True),
        )
    with database.unit_of_work() as session:
        updated = session.get(Customer, customer.id)
    assert (updated.tags, updated.is_vip) == (["vip", "big_spender"], True)


def test_light_agent_cannot_edit_customers(database: Database) -> None:
    light = make_agent(database, role=Role.LIGHT_AGENT)
    customer = make_customer(database)
    with database.unit_of_work() as session, pytest.raises(PermissionDenied):
        service.update_customer(
            session, actor=actor_for(light), customer_id=customer.id, data=CustomerUpdate(name="X")
        )
    with database.unit_of_work() as session:
        assert session.get(Customer, customer.id).name == "Emily Chen"


def test_merge_moves_identities_tickets_and_messages(database: Database) -> None:
    # given two profiles of one person, each with a ticket
    first = receive(database, email="emily@example.com", name="Emily Chen")
    second = receive(database, email="emily.work@example.com", name="")
    agent = make_agent(database)
    # when
    with database.unit_of_work() as session:
        service.merge_customers(
            session,
            actor=actor_for(agent),
            source_id=second.customer_id,
            target_id=first.customer_id,
        )
    # then
    with database.unit_of_work() as session:
        requesters = set(session.scalars(select(Ticket.requester_id)))
        authors = set(session.scalars(select(Message.author_customer_id)))
        emails = sorted(session.scalars(select(CustomerIdentity.value)))
        source = session.get(Customer, second.customer_id)
        found = service.identify(session, email="emily.work@example.com")
    assert requesters == authors == {first.customer_id}
    assert emails == ["emily.work@example.com", "emily@example.com"]
    assert source.merged_into_id == first.customer_id
    assert found.id == first.customer_id


def test_merge_refusals(database: Database) -> None:
    one = make_customer(database, emails=("a@example.com",))
    two = make_customer(database, name="B", emails=("b@example.com",))
    with database.unit_of_work() as session, pytest.raises(InvalidInput):
        service.merge_customers(session, actor=Actor.system(), source_id=one.id, target_id=one.id)
    with database.unit_of_work() as session:
        service.merge_customers(session, actor=Actor.system(), source_id=two.id, target_id=one.id)
    with database.unit_of_work() as session, pytest.raises(Conflict, match="already merged"):
        service.merge_customers(session, actor=Actor.system(), source_id=two.id, target_id=one.id)
