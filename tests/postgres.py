"""Scratch PostgreSQL databases for the tests and the benchmarks."""

import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from kefu.db import Database


@contextmanager
def scratch_database(server_url: str, name: str, *, template: str | None = None) -> Iterator[str]:
    """Create database `name` (a copy of `template` if given), yield its URL, drop it after."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    copy = f' TEMPLATE "{template}"' if template else ""
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def wait_for_a_lock_wait(database: Database, *, then: float = 0.0) -> None:
    """Until another session of this database waits for a row lock (raises after 30 s);
    `then`: seconds to let pass after, so that it is sure to be the first waiter."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
    )
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for _ in range(1500):
            if conn.execute(query).scalar():
                time.sleep(then)
                return
            time.sleep(0.02)
    raise AssertionError("no session of the database started waiting for a lock")
