"""A ticket that an earlier handler of the same batch changed is left to the delivery of that
change: computing it in this batch as well would be work thrown away."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.analytics import jobs, service
from kefu.analytics.models import TicketMetrics
from kefu.db import Database
from kefu.events import Event
from kefu.kit.actor import Actor
from kefu.tickets import service as tickets
from kefu.tickets.schemas import TicketUpdate
from tests.analytics.metrics.factories import customer_writes, metrics_table, run_handlers


def _opening_events(database: Database, ticket_ids: list[int]) -> list[Event]:
    with database.sessions() as session:
        events = list(
            session.scalars(
                select(Event)
                .where(Event.subject_id.in_([str(i) for i in ticket_ids]))
                .order_by(Event.id)
            )
        )
        session.expunge_all()
        return events


def _change_priority(session: Session, ticket_id: int) -> None:
    tickets.update_ticket(
        session, actor=Actor.system(), ticket_id=ticket_id, data=TicketUpdate(priority="high")
    )


def _stored(database: Database) -> set[int]:
    with database.sessions() as session:
        return set(session.scalars(select(TicketMetrics.ticket_id)))


def test_a_ticket_changed_later_in_the_batch_waits_for_that_change(database: Database) -> None:
    # given two new tickets whose opening events make up a batch
    changed, untouched = customer_writes(database), customer_writes(database)
    events = _opening_events(database, [changed, untouched])
    # when an earlier handler of the batch changes one of them, then the metrics handler runs
    with database.unit_of_work(actor=Actor.system()) as session:
        _change_priority(session, changed)
        jobs.follow_tickets(session, events)
    # then only the other ticket is computed in this batch
    assert _stored(database) == {untouched}
    # and the change's own delivery computes the first, from its whole history
    run_handlers(database)
    table = metrics_table(database)
    assert table[changed]["priority"] == "high"
    with database.sessions() as session:
        fresh = service.computed(session, [changed, untouched])
    for ticket_id, values in fresh.items():
        assert values is not None
        assert {key: table[ticket_id][key] for key in values} == values


def test_a_change_rolled_back_in_a_savepoint_does_not_hold_a_ticket_back(
    database: Database,
) -> None:
    # given a new ticket's opening events
    ticket_id = customer_writes(database)
    events = _opening_events(database, [ticket_id])
    # when an earlier handler's change of it is rolled back (a failed savepoint)
    with database.unit_of_work(actor=Actor.system()) as session:
        savepoint = session.begin_nested()
        _change_priority(session, ticket_id)
        savepoint.rollback()
        jobs.follow_tickets(session, events)
    # then nothing is pending about the ticket, and it is computed now
    assert _stored(database) == {ticket_id}
