"""Skills-based assignment, idempotency of the handler, and the agent status service."""

import threading

import pytest
from sqlalchemy import func, select

from kefu.automation.assignment import service
from kefu.automation.assignment.assign import assign_ticket
from kefu.automation.assignment.pick import required_skills
from kefu.automation.assignment.schemas import AgentStatusValue, Method
from kefu.compliance.models import AuditEntry
from kefu.customers import service as customers
from kefu.customers.schemas import CustomerUpdate
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.errors import PermissionDenied
from kefu.events import Event
from kefu.kit.actor import Actor
from kefu.permissions import Role
from kefu.tickets import service as tickets
from kefu.tickets.messages import list_messages
from kefu.tickets.schemas import TicketUpdate
from tests.accounts.factories import make_agent
from tests.automation.assign_factories import give_skills, make_team
from tests.tickets.factories import make_ticket

SYSTEM = Actor.system()


def _chinese_vip(database: Database, *, email: str = "wang@example.com") -> int:
    ticket = make_ticket(database, email=email, text=None, channel="chat")
    with database.unit_of_work(actor=SYSTEM) as session:
        customers.update_customer(
            session,
            actor=SYSTEM,
            customer_id=ticket.requester_id,
            data=CustomerUpdate(language="zh_Hans", is_vip=True),
        )
    return ticket.id


def test_skills_come_from_language_vip_channel_and_product(database: Database) -> None:
    # given: skills exist for Chinese, VIP and chat; none for email or English
    _team, (a,) = make_team(database, members=1, method=Method.SKILLS)
    give_skills(database, a, "language:zh", "vip", "channel:chat", "product:lamps")
    ticket_id = _chinese_vip(database)
    with database.unit_of_work(actor=SYSTEM) as session:
        tickets.update_ticket(
            session,
            actor=SYSTEM,
            ticket_id=ticket_id,
            data=TicketUpdate(add_tags=["product:lamps"]),
        )
    # when
    with database.unit_of_work(actor=SYSTEM) as session:
        needed = required_skills(session, tickets.get_ticket(session, ticket_id))
    # then
    assert needed == ["channel:chat", "language:zh", "product:lamps", "vip"]


def test_the_online_member_with_every_skill_gets_the_ticket(database: Database) -> None:
    # given: a speaks Chinese, b speaks Chinese and serves VIPs, c serves VIPs only
    team_id, (a, b, c) = make_team(database, members=3, method=Method.SKILLS)
    give_skills(database, a, "language:zh")
    give_skills(database, b, "language:zh", "vip")
    give_skills(database, c, "vip")
    ticket_id = _chinese_vip(database)
    # when
    with database.unit_of_work(actor=SYSTEM) as session:
        tickets.update_ticket(
            session, actor=SYSTEM, ticket_id=ticket_id, data=TicketUpdate(team_id=team_id)
        )
    dispatch_due(database)
    # then
    with database.unit_of_work() as session:
        assert tickets.get_ticket(session, ticket_id).assignee_id == b


def test_no_one_with_the_skills_leaves_the_ticket_waiting(database: Database) -> None:
    # given
    team_id, (a,) = make_team(database, members=1, method=Method.SKILLS)
    give_skills(database, a, "language:zh")
    other = make_agent(database, email="other@example.com")  # "vip" exists, outside the team
    give_skills(database, other.id, "vip")
    ticket_id = _chinese_vip(database)
    # when
    with database.unit_of_work(actor=SYSTEM) as session:
        tickets.update_ticket(
            session, actor=SYSTEM, ticket_id=ticket_id, data=TicketUpdate(team_id=team_id)
        )
    dispatch_due(database)
    # then
    with database.unit_of_work() as session:
        assert tickets.get_ticket(session, ticket_id).assignee_id is None
        notes = [m.body_text for m in list_messages(session, ticket_id) if m.kind == "note"]
    assert notes == [
        "Waiting in the team queue: no online team member under capacity has the skills "
        "language:zh, vip."
    ]


def test_the_handler_run_twice_assigns_once(database: Database) -> None:
    # given
    team_id, (a, _b) = make_team(database, members=2)
    ticket = make_ticket(database, text=None, team_id=team_id)
    # when: the same event handled by two runs (a retry after a lost ack)
    with database.unit_of_work(actor=SYSTEM) as session:
        first = assign_ticket(session, ticket_id=ticket.id)
    with database.unit_of_work(actor=SYSTEM) as session:
        second = assign_ticket(session, ticket_id=ticket.id)
    dispatch_due(database)
    # then
    assert (first, second) == (a, None)
    with database.unit_of_work() as session:
        assert tickets.get_ticket(session, ticket.id).assignee_id == a
        assigned = session.scalar(
            select(func.count())
            .select_from(Event)
            .where(
                Event.type == "ticket.updated",
                Event.subject_id == str(ticket.id),
                Event.payload["changes"]["assignee_id"].is_not(None),
            )
        )
    assert assigned == 1


def test_an_agent_sets_their_own_status_and_it_is_evented(database: Database) -> None:
    # given
    ann = make_agent(database, email="ann@example.com")
    bob = make_agent(database, email="bob@example.com")
    actor = Actor(kind="agent", name="Ann", agent_id=ann.id, role=Role.AGENT.value)
    # when
    with database.unit_of_work(actor=actor) as session:
        service.set_status(session, actor=actor, agent_id=ann.id, status=AgentStatusValue.AWAY)
        with pytest.raises(PermissionDenied):
            service.set_status(
                session, actor=actor, agent_id=bob.id, status=AgentStatusValue.ONLINE
            )
    # then
    with database.unit_of_work() as session:
        assert service.statuses_of(session, [ann.id, bob.id]) == {
            ann.id: "away",
            bob.id: "offline",
        }
        events = session.scalars(select(Event).where(Event.type == "agent.status_changed")).all()
        assert [(e.subject_id, e.payload) for e in events] == [
            (str(ann.id), {"before": "offline", "after": "away"})
        ]
        audited = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == "agent_statuses")
        ).all()
        assert [(a.action, a.actor_ref, a.changes["status"]) for a in audited] == [
            ("agent_statuses.created", f"agent:{ann.id}", [None, "away"])
        ]


def test_two_workers_picking_at_once_take_turns(database: Database) -> None:
    # given: two new tickets of a round-robin team, their events not yet handled
    team_id, (a, b) = make_team(database, members=2)
    first = make_ticket(database, text=None, team_id=team_id).id
    second = make_ticket(database, text=None, team_id=team_id).id
    picked: dict[int, int | None] = {}

    def worker() -> None:
        with database.unit_of_work(actor=SYSTEM) as session:
            picked[second] = assign_ticket(session, ticket_id=second)

    # when: one worker holds the team while another starts on the second ticket
    with database.unit_of_work(actor=SYSTEM) as session:
        picked[first] = assign_ticket(session, ticket_id=first)
        other = threading.Thread(target=worker)
        other.start()
    other.join(timeout=60)
    # then: each got a different agent, in turn
    assert not other.is_alive()
    assert picked == {first: a, second: b}
