"""The "assigned to you" handler takes a dispatch batch at once: the same notices as one
event at a time (none twice, none to the actor, to a deactivated agent or on a ticket that
is gone), its statements not growing with the batch, each agent's badge published once."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, select

from kefu.accounts import service as accounts
from kefu.accounts.schemas import AgentUpdate
from kefu.db import Database
from kefu.events import Event
from kefu.kit.actor import Actor
from kefu.kit.broadcast import PENDING_KEY
from kefu.tickets.models import Notification, Ticket
from kefu.tickets.notify_jobs import notify_assignee, notify_assignees
from tests.accounts.factories import make_admin, make_agent
from tests.tickets.rt_factories import assign, make_ticket


def notices(database: Database) -> list[tuple[int, str, int | None, str, int]]:
    with database.sessions() as session:
        rows = session.scalars(select(Notification).order_by(Notification.id))
        return [(n.agent_id, n.kind, n.ticket_id, n.actor_name, n.event_id) for n in rows]


@contextmanager
def statements(database: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_c: object, _cur: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", count)


def handle(database: Database, event_ids: list[int], seen: list[str] | None = None) -> list:
    """The batch handler on these events in one unit of work (the statements it ran into
    `seen`); what it queued to publish."""
    with database.unit_of_work(actor=Actor.job("test")) as session:
        events = [session.get_one(Event, event_id) for event_id in event_ids]
        with statements(database) as ran:
            notify_assignees(session, events)
        (seen if seen is not None else []).extend(ran)
        return list(session.info.get(PENDING_KEY, []))


def assignments(database: Database, count: int, *, to: int, by: object) -> list[int]:
    tickets = [make_ticket(database, subject=f"T{n}") for n in range(count)]
    return [assign(database, ticket=t, to=to, by=by) for t in tickets]  # type: ignore[arg-type]


def test_a_batch_gives_the_notices_one_event_at_a_time_gives(database: Database) -> None:
    # given Ada assigns tickets to Bo, to herself and to Cy (deactivated), one ticket is
    # deleted from the database, and one event was handled already
    ada, bo = make_admin(database), make_agent(database, name="Bo Chen")
    cy = make_agent(database, email="cy@example.com", name="Cy")
    with database.unit_of_work(actor=Actor.system()) as session:
        accounts.update_agent(
            session, actor=Actor.system(), agent_id=cy.id, data=AgentUpdate(is_active=False)
        )
    to_bo = assignments(database, 3, to=bo.id, by=ada)
    to_self = assignments(database, 1, to=ada.id, by=ada)
    to_cy = assignments(database, 1, to=cy.id, by=ada)
    gone = assignments(database, 1, to=bo.id, by=ada)
    with database.unit_of_work() as session:
        session.delete(session.get_one(Ticket, int(session.get_one(Event, gone[0]).subject_id)))
    with database.unit_of_work(actor=Actor.job("test")) as session:
        notify_assignee(session, session.get_one(Event, to_bo[0]))
    # when the handler takes them all at once, the first twice
    published = handle(database, [to_bo[0], *to_bo, *to_self, *to_cy, *gone])
    # then Bo has one notice per event, nobody else any, and Bo's badge is sent once
    with database.sessions() as session:
        ticket_ids = [int(session.get_one(Event, e).subject_id) for e in to_bo]
    assert notices(database) == [
        (bo.id, "assigned", ticket_id, "Ada Admin", event_id)
        for ticket_id, event_id in zip(ticket_ids, to_bo, strict=True)
    ]
    assert published == [(f"agent:{bo.id}", {"type": "badge", "unread": 3})]


def test_a_batch_costs_the_same_statements_whatever_its_number_of_events(
    database: Database,
) -> None:
    # given two agents assigned tickets by a third
    ada, bo = make_admin(database), make_agent(database, name="Bo Chen")
    cy = make_agent(database, email="cy@example.com", name="Cy")
    few = assignments(database, 1, to=bo.id, by=ada) + assignments(database, 1, to=cy.id, by=ada)
    many = assignments(database, 6, to=bo.id, by=ada) + assignments(database, 6, to=cy.id, by=ada)
    # when the handler takes two events, then twelve
    for_few: list[str] = []
    for_many: list[str] = []
    handle(database, few, for_few)
    handle(database, many, for_many)
    # then the twelve cost as many statements as the two, and all were notified
    assert len(for_many) == len(for_few)
    assert len(notices(database)) == 14
