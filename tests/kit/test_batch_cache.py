"""A batch handler's reads: loaded once inside `batch_cache`, every time outside it, and rows
loaded in the block kept in the session until it ends."""

import gc

from sqlalchemy import event

from kefu.customers.models import Customer
from kefu.db import Database
from kefu.kit.batch_cache import batch_cache, cached
from tests.customers.factories import make_customer


def test_a_cached_read_loads_once_in_a_block_and_every_time_outside(database: Database) -> None:
    # given a read that counts its loads
    loads: list[int] = []

    def load() -> int:
        loads.append(1)
        return len(loads)

    with database.sessions() as session:
        # when read twice in a block (and a nested one), then twice outside
        with batch_cache(session):
            inside = [cached(session, "key", load), cached(session, "key", load)]
            with batch_cache(session):
                inside.append(cached(session, "key", load))
        outside = [cached(session, "key", load), cached(session, "key", load)]
    # then the block loaded once and shared it; outside each read loaded
    assert inside == [1, 1, 1]
    assert outside == [2, 3]


def test_rows_loaded_in_a_block_are_found_again_without_a_query(database: Database) -> None:
    # given a customer
    customer_id = make_customer(database).id
    statements: list[str] = []
    event.listen(database.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with database.sessions() as session:
        # when it is read in a block, dropped by the caller, and read again
        with batch_cache(session):
            session.get(Customer, customer_id)
            gc.collect()
            before = len(statements)
            session.get(Customer, customer_id)
            again_in_block = len(statements) - before
        gc.collect()
        before = len(statements)
        session.get(Customer, customer_id)
        after_block = len(statements) - before
    # then the block kept it (no second query); after the block the session lets it go
    assert (again_in_block, after_block) == (0, 1)


def test_a_rolled_back_savepoint_empties_the_block(database: Database) -> None:
    # given a value read in a block
    loads: list[int] = []

    def load() -> int:
        loads.append(1)
        return len(loads)

    with database.sessions() as session, batch_cache(session):
        first = cached(session, "key", load)
        # when a savepoint is released, and then one is rolled back
        with session.begin_nested():
            kept = cached(session, "key", load)
        session.begin_nested().rollback()
        after = cached(session, "key", load)
    # then the value is read again only after the rollback (what was read in it may be gone)
    assert (first, kept, after) == (1, 1, 2)
