"""Suggested-replies test data, made through the services: a brand with a help center and
articles, an agent, solved conversations (a customer's question, maybe an internal note, the
agent's public reply), macros and the customer's orders."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kefu.accounts.service import actor_for
from kefu.commerce.schemas import FulfilmentIn
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.ingest.schemas import InboundMessage, Sender
from kefu.ingest.service import ingest
from kefu.kit.actor import Actor
from kefu.permissions import Role
from kefu.tickets.messages import add_message
from kefu.tickets.schemas import MessageCreate
from tests.accounts.factories import make_agent
from tests.automation.macro_factories import make_macro
from tests.commerce.factories import make_order
from tests.helpcenter.factories import make_article, make_brand

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
_sequence = iter(range(1, 10**9))


@dataclass(frozen=True)
class Desk:
    store_id: int
    agent: Actor
    refunds_article: int


def make_desk(database: Database) -> Desk:
    """A brand with a help center, an agent, and a published refunds article."""
    store_id = make_brand(database)
    agent = make_agent(database, email="sam@example.com", name="Sam Lee", role=Role.AGENT)
    refunds = make_article(
        database,
        store_id=store_id,
        slug="refunds",
        title="Refunds and returns",
        body="You can return unworn items within 30 days of delivery for a full refund.\n\n"
        "Open your order page and choose Return items; the refund reaches your card within "
        "5 days of the parcel reaching us.",
    )
    return Desk(store_id=store_id, agent=actor_for(agent), refunds_article=refunds)


def customer_writes(
    database: Database,
    *,
    text: str,
    subject: str = "Question",
    email: str = "emily@example.com",
    name: str = "Emily Chen",
    store_id: int | None = None,
    ticket_id: int | None = None,
) -> int:
    """A customer message arriving by email; the ticket's id."""
    message = InboundMessage(
        channel="email",
        source_id=f"<suggest-{next(_sequence)}@example.com>",
        sender=Sender(email=email, name=name),
        subject=subject,
        body_text=text,
        store_id=store_id,
        ticket_id=ticket_id,
    )
    with database.unit_of_work(actor=Actor.system()) as session:
        return ingest(session, message=message).ticket_id


def agent_replies(
    database: Database,
    *,
    agent: Actor,
    ticket_id: int,
    text: str,
    kind: str = "reply",
    status: str | None = None,
) -> int:
    data = MessageCreate(kind=kind, body_text=text, status=status)
    with database.unit_of_work(actor=agent) as session:
        return add_message(session, actor=agent, ticket_id=ticket_id, data=data).id


def solved_conversation(
    database: Database,
    *,
    agent: Actor,
    question: str,
    answer: str,
    subject: str = "Question",
    email: str = "old@example.com",
    name: str = "Olga Old",
    store_id: int | None = None,
    note: str | None = None,
) -> tuple[int, int]:
    """(ticket id, the agent reply's message id) of a solved conversation."""
    ticket_id = customer_writes(
        database, text=question, subject=subject, email=email, name=name, store_id=store_id
    )
    if note:
        agent_replies(database, agent=agent, ticket_id=ticket_id, text=note, kind="note")
    reply = agent_replies(database, agent=agent, ticket_id=ticket_id, text=answer, status="solved")
    return ticket_id, reply


def shipped_order(
    database: Database,
    *,
    store_id: int,
    number: str,
    email: str = "emily@example.com",
    name: str = "Emily Chen",
    tracking: str | None = "RM123456789GB",
    placed_at: Any = None,
) -> None:
    from kefu.commerce import stores

    with database.sessions() as session:
        store = stores.get_store(session, store_id)
        session.expunge(store)
    shipments = []
    if tracking:
        shipments = [
            FulfilmentIn(
                external_id=f"ful-{number}",
                carrier="Royal Mail",
                tracking_number=tracking,
                status="in_transit",
                shipped_at=NOW,
            )
        ]
    extra = {"placed_at": placed_at} if placed_at else {}
    make_order(
        database, store=store, number=number, email=email, name=name, shipments=shipments, **extra
    )


def settle(database: Database) -> None:
    """Run the outbox (the search index is written by its handler)."""
    while dispatch_due(database, batch=500).ran:
        pass


__all__ = ["make_macro"]
