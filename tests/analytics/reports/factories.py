"""Reports test data: tickets made through the real services (ingest, replies, solves), the
outbox run so the analytics handler keeps the metrics, and a signed-in manager."""

import re
from typing import Any

from kefu.accounts.service import actor_for
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.kit.actor import Actor
from kefu.permissions import Role
from kefu.tickets import service as tickets
from kefu.tickets.messages import add_message
from kefu.tickets.schemas import MessageCreate, TicketUpdate
from tests.accounts.factories import PASSWORD, make_agent
from tests.tickets.factories import receive
from tests.web.helpers import csrf_token, sign_in


def settle(database: Database) -> None:
    """Run the outbox until every handler's consequences have run too."""
    for _ in range(20):
        if dispatch_due(database).ran == 0:
            return
    raise AssertionError("the outbox did not settle")


def reply(database: Database, agent: Any, ticket_id: int, *, solve: bool = False) -> None:
    actor = actor_for(agent)
    with database.unit_of_work(actor=actor) as session:
        add_message(
            session,
            actor=actor,
            ticket_id=ticket_id,
            data=MessageCreate(body_text="Thanks, on it.", status="solved" if solve else None),
        )


def tag(database: Database, ticket_id: int, *tags: str) -> None:
    with database.unit_of_work(actor=Actor.system()) as session:
        tickets.update_ticket(
            session,
            actor=Actor.system(),
            ticket_id=ticket_id,
            data=TicketUpdate(add_tags=list(tags)),
        )
    settle(database)


def seed(
    database: Database, agent: Any, *, email: int = 3, web: int = 2, solved: int = 2
) -> list[int]:
    """`email` + `web` tickets from customers; the agent answers the first `solved` and
    solves them. Returns the ticket ids in order."""
    ids = []
    for n in range(email):
        ids.append(receive(database, email=f"c{n}@example.com", subject=f"Mail {n}").ticket_id)
    for n in range(web):
        ids.append(
            receive(
                database, email=f"w{n}@example.com", subject=f"Form {n}", channel="web"
            ).ticket_id
        )
    settle(database)
    for ticket_id in ids[:solved]:
        reply(database, agent, ticket_id, solve=True)
    settle(database)
    return ids


def manager(
    client: Any, database: Database, *, role: Role = Role.MANAGER, email: str = "mia@example.com"
) -> Any:
    agent = make_agent(database, email=email, name="Mia Manager", role=role)
    sign_in(client, agent.email, PASSWORD)
    return agent


def token(client: Any, path: str = "/reports") -> str:
    return csrf_token(client.get(path).text)


def figure(html: str, key: str) -> tuple[str, str, str]:
    """(value, previous, change) of a dashboard figure, as the page states them."""
    match = re.search(
        rf'data-figure="{key}" data-value="([^"]*)" data-previous="([^"]*)" data-change="([^"]*)"',
        html,
    )
    assert match, f"no figure {key}"
    return match.group(1), match.group(2), match.group(3)
