"""Adding or removing tags reads the ticket's tags once and changes only the rows of the
tags that come and go (a trigger tagging many tickets); in a batch handler's block, once for
the whole block."""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.kit.batch_cache import batch_cache
from kefu.tickets import service as tickets
from kefu.tickets.schemas import TicketUpdate
from tests.tickets.factories import make_ticket

SYSTEM = Actor.system()


@contextmanager
def statements(database: Database) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_c: object, _cur: object, statement: str, *_: object) -> None:
        if "ticket_tags" in statement:
            seen.append(statement.split()[0])

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", count)


def change(database: Database, ticket_id: int, data: TicketUpdate) -> list[str]:
    with database.unit_of_work(actor=SYSTEM) as session:
        tickets.update_ticket(session, actor=SYSTEM, ticket_id=ticket_id, data=data)
        return tickets.tags_of(session, [ticket_id])[ticket_id]


def test_adding_a_tag_reads_once_and_removes_nothing(database: Database) -> None:
    ticket = make_ticket(database, tags=["vip", "order"])
    with statements(database) as seen:
        after = change(database, ticket.id, TicketUpdate(add_tags=["refund"]))
    # one read of its tags (then the one above), one insert, no DELETE of the others
    assert after == ["order", "refund", "vip"]
    assert seen == ["SELECT", "INSERT", "SELECT"]


def test_replacing_and_removing_tags_keeps_the_right_ones(database: Database) -> None:
    ticket = make_ticket(database, tags=["vip", "order", "late"])
    assert change(database, ticket.id, TicketUpdate(remove_tags=["late"])) == ["order", "vip"]
    replaced = change(database, ticket.id, TicketUpdate(tags=["vip", "refund"]))
    assert replaced == ["refund", "vip"]
    both = TicketUpdate(add_tags=["order"], remove_tags=["vip"])
    assert change(database, ticket.id, both) == ["order", "refund"]
    assert change(database, ticket.id, TicketUpdate(tags=[])) == []


def test_in_a_batch_block_tags_are_read_once_and_kept_in_step(database: Database) -> None:
    # given two tagged tickets, read together in a batch handler's block
    first = make_ticket(database, tags=["vip"])
    second = make_ticket(database, tags=["order"])
    with (
        statements(database) as seen,
        database.unit_of_work(actor=SYSTEM) as session,
        batch_cache(session),
    ):
        tickets.tags_of(session, [first.id, second.id])
        # when one is tagged and both are read again
        update = TicketUpdate(add_tags=["refund"])
        tickets.update_ticket(session, actor=SYSTEM, ticket_id=first.id, data=update)
        again = tickets.tags_of(session, [first.id, second.id])
        # and a change of the other is rolled back in a savepoint
        savepoint = session.begin_nested()
        update = TicketUpdate(tags=["spam"])
        tickets.update_ticket(session, actor=SYSTEM, ticket_id=second.id, data=update)
        savepoint.rollback()
        after_rollback = tickets.tags_of(session, [second.id])
    # then the first read was the block's only read of them until the rollback, which
    # made the block read the other ticket's tags again (as they stand: unchanged)
    assert again == {first.id: ["refund", "vip"], second.id: ["order"]}
    assert after_rollback == {second.id: ["order"]}
    assert seen.count("SELECT") == 2
