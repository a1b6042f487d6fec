"""SLA test data, made through the services: schedules, policies, replies and status changes."""

from typing import Any

from kefu.accounts import service as accounts
from kefu.accounts.schemas import TeamCreate
from kefu.accounts.service import actor_for
from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.sla import business_hours, policies
from kefu.sla.clocks import clocks_of
from kefu.sla.models import BusinessSchedule, SlaClock, SlaPolicy
from kefu.sla.schemas import PolicyIn, ScheduleIn
from kefu.tickets import messages
from kefu.tickets import service as tickets
from kefu.tickets.schemas import MessageCreate, TicketUpdate
from tests.accounts.factories import make_agent

WEEKDAYS_9_TO_6 = [{"weekday": day, "start": "09:00", "end": "18:00"} for day in range(5)]
EVERY_PRIORITY = ("low", "normal", "high", "urgent")


def targets(**minutes: int) -> dict[str, dict[str, int]]:
    """The same target for every priority: targets(first_reply=60, resolution=480)."""
    return {metric: dict.fromkeys(EVERY_PRIORITY, value) for metric, value in minutes.items()}


def make_policy(database: Database, **values: Any) -> SlaPolicy:
    data = PolicyIn(
        **{"name": "Standard", "targets": targets(first_reply=60, resolution=480), **values}
    )
    with database.unit_of_work(actor=Actor.system()) as session:
        return policies.create_policy(session, actor=Actor.system(), data=data)


def make_schedule(database: Database, **values: Any) -> BusinessSchedule:
    data = ScheduleIn(
        **{
            "name": "London office",
            "time_zone": "Europe/London",
            "intervals": WEEKDAYS_9_TO_6,
            **values,
        }
    )
    with database.unit_of_work(actor=Actor.system()) as session:
        return business_hours.create_schedule(session, actor=Actor.system(), data=data)


def agent_actor(database: Database, email: str = "ann@example.com") -> Actor:
    return actor_for(make_agent(database, email=email, name="Ann Agent"))


def reply(database: Database, *, ticket_id: int, actor: Actor, kind: str = "reply") -> None:
    with database.unit_of_work(actor=actor) as session:
        messages.add_message(
            session,
            actor=actor,
            ticket_id=ticket_id,
            data=MessageCreate(kind=kind, body_text="Looking into it."),
        )


def update(database: Database, *, ticket_id: int, **values: Any) -> None:
    with database.unit_of_work(actor=Actor.system()) as session:
        tickets.update_ticket(
            session, actor=Actor.system(), ticket_id=ticket_id, data=TicketUpdate(**values)
        )


def clocks(database: Database, ticket_id: int) -> dict[str, SlaClock]:
    with database.unit_of_work() as session:
        return clocks_of(session, ticket_id)


def sla_due_at(database: Database, ticket_id: int) -> Any:
    with database.unit_of_work() as session:
        return tickets.get_ticket(session, ticket_id).sla_due_at


def make_team(database: Database, name: str = "Tier 2") -> int:
    with database.unit_of_work(actor=Actor.system()) as session:
        return accounts.create_team(session, actor=Actor.system(), data=TeamCreate(name=name)).id
