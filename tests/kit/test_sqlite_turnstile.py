"""SQLite writers take turns on a file lock beside the database (kefu.kit.sqlite_turnstile)."""

import asyncio
import fcntl
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from kefu.db import Database


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database.from_url(f"sqlite:///{tmp_path / 'kefu.db'}")
    with db.engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    yield db
    db.dispose()


def _turnstile_free(tmp_path: Path) -> bool:
    """Whether another process could take the turnstile now."""
    fd = os.open(tmp_path / "kefu.db-writers", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_a_write_transaction_holds_the_turnstile_until_it_commits(
    database: Database, tmp_path: Path
) -> None:
    with database.unit_of_work() as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        # while the transaction is open, another writer would wait in the kernel
        assert not _turnstile_free(tmp_path)
    # after the commit it is free again
    assert _turnstile_free(tmp_path)


def test_a_failed_transaction_gives_the_turnstile_back(database: Database, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError), database.unit_of_work() as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        raise RuntimeError("the work failed")
    assert _turnstile_free(tmp_path)
    with database.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM t")) == 0


def test_a_waiting_writer_goes_as_soon_as_the_holder_commits(
    database: Database, tmp_path: Path
) -> None:
    order: list[str] = []
    holding, second_started = threading.Event(), threading.Event()

    def second_writer() -> None:
        holding.wait()
        second_started.set()
        with database.unit_of_work() as session:  # waits for the first one's turn to end
            session.execute(text("INSERT INTO t VALUES (2)"))
            order.append("second wrote")

    thread = threading.Thread(target=second_writer)
    thread.start()
    with database.unit_of_work() as session:
        session.execute(text("INSERT INTO t VALUES (1)"))
        holding.set()
        second_started.wait()
        order.append("first commits")
    thread.join(timeout=30)
    assert order == ["first commits", "second wrote"]
    with database.engine.connect() as connection:
        assert connection.scalars(text("SELECT x FROM t ORDER BY rowid")).all() == [1, 2]


def test_an_in_memory_database_has_no_turnstile(tmp_path: Path) -> None:
    db = Database.from_url("sqlite://")
    try:
        with db.unit_of_work() as session:
            assert session.execute(text("SELECT 1")).scalar() == 1
    finally:
        db.dispose()
    assert not list(tmp_path.iterdir())


def test_a_thread_running_an_event_loop_waits_for_the_turnstile_only_a_few_seconds(
    database: Database, tmp_path: Path
) -> None:
    """The turnstile's holder may be a request that must hop through this loop to commit:
    waiting in flock(2) there would wait forever (SQLite's own busy timeout still orders it)."""
    holder = os.open(tmp_path / "kefu.db-writers", os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)  # held elsewhere, SQLite's lock free

    async def write_on_the_loop() -> None:
        with database.unit_of_work() as session:
            session.execute(text("INSERT INTO t VALUES (1)"))

    loop_thread = threading.Thread(target=lambda: asyncio.run(write_on_the_loop()))
    try:
        loop_thread.start()
        loop_thread.join(timeout=20)
        assert not loop_thread.is_alive(), "the event loop kept waiting for the turnstile"
    finally:
        os.close(holder)
        loop_thread.join(timeout=20)
    with database.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM t")) == 1
