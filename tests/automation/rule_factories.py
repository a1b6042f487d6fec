"""Rules test data, made through the services, and a small dispatcher that runs only the
rules' outbox handlers (in event order, until nothing is left)."""

from datetime import datetime
from typing import Any

from sqlalchemy import select

from kefu.accounts import service as accounts
from kefu.accounts.schemas import TeamCreate
from kefu.automation.rules import jobs as rule_jobs
from kefu.automation.rules.models import Rule, RuleRun
from kefu.automation.rules.service import RuleIn, create_rule
from kefu.customers import service as customers
from kefu.customers.schemas import CustomerUpdate
from kefu.db import Database
from kefu.events import Event, EventDelivery
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.tickets import service as tickets
from kefu.tickets.schemas import TicketUpdate

RULE_HANDLERS = {
    "automation.run_triggers": rule_jobs.run_triggers_on,
    "automation.track_clocks": rule_jobs.track_clocks,
}


def make_rule(
    database: Database,
    *,
    kind: str = "trigger",
    name: str = "VIP urgent",
    events: list[str] | None = None,
    all: list[dict[str, Any]] | None = None,
    any: list[dict[str, Any]] | None = None,
    actions: list[dict[str, Any]] | None = None,
    is_active: bool = True,
) -> Rule:
    data = RuleIn(
        kind=kind,  # type: ignore[arg-type]
        name=name,
        is_active=is_active,
        events=events if events is not None else (["ticket.updated"] if kind == "trigger" else []),
        conditions={"all": all or [], "any": any or []},
        actions=actions or [{"type": "add_tags", "tags": ["flagged"]}],
    )
    with database.unit_of_work(actor=Actor.system()) as session:
        return create_rule(session, actor=Actor.system(), data=data)


def make_team(database: Database, name: str = "Tier 2") -> int:
    with database.unit_of_work(actor=Actor.system()) as session:
        return accounts.create_team(session, actor=Actor.system(), data=TeamCreate(name=name)).id


def make_vip(database: Database, customer_id: int, *, is_vip: bool = True) -> None:
    with database.unit_of_work(actor=Actor.system()) as session:
        customers.update_customer(
            session,
            actor=Actor.system(),
            customer_id=customer_id,
            data=CustomerUpdate(is_vip=is_vip),
        )


def update(
    database: Database, ticket_id: int, *, actor: Actor | None = None, **values: Any
) -> None:
    who = actor or Actor.system()
    with database.unit_of_work(actor=who) as session:
        tickets.update_ticket(session, actor=who, ticket_id=ticket_id, data=TicketUpdate(**values))


def run_rule_handlers(database: Database, *, rounds: int = 50) -> int:
    """Run the rules' pending deliveries in event order until none is left; returns how
    many ran. Other domains' deliveries stay pending (their handlers are not under test)."""
    ran = 0
    for _ in range(rounds):
        with database.sessions() as session:
            due = session.execute(
                select(
                    EventDelivery.id,
                    EventDelivery.handler,
                    EventDelivery.event_id,
                    EventDelivery.more_event_ids,  # a bulk emit's delivery: its other events
                )
                .where(
                    EventDelivery.status == "pending",
                    EventDelivery.handler.in_(list(RULE_HANDLERS)),
                )
                .order_by(EventDelivery.event_id, EventDelivery.id)
            ).all()
        if not due:
            return ran
        for delivery_id, handler, event_id, more in due:
            with database.unit_of_work(actor=Actor.job("test")) as session:
                events = [session.get_one(Event, e) for e in [event_id, *(more or ())]]
                RULE_HANDLERS[handler](session, events)
                delivery = session.get_one(EventDelivery, delivery_id)
                delivery.status, delivery.done_at = "done", utcnow()
            ran += 1
    raise AssertionError("the rules' handlers did not settle")


def runs(database: Database) -> list[tuple[int, int, str]]:
    with database.sessions() as session:
        rows = session.scalars(select(RuleRun).order_by(RuleRun.id))
        return [(r.rule_id, r.ticket_id, r.outcome) for r in rows]


def tags(database: Database, ticket_id: int) -> list[str]:
    with database.sessions() as session:
        return tickets.tags_of(session, [ticket_id])[ticket_id]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)
