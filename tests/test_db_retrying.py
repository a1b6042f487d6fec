"""`Database.retrying`: a transaction the database failed to break a lock conflict is run
again from the start, and only then; anything else fails at once."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from kefu.db import Database, is_contention
from kefu.tickets.models import Tag
from tests.outbox_handlers import Deadlock


def _tags(database: Database, prefix: str) -> int:
    with database.unit_of_work() as session:
        query = select(func.count()).select_from(Tag).where(Tag.name.startswith(prefix))
        return session.scalar(query) or 0


@pytest.mark.parametrize(
    ("orig", "expected"),
    [
        (Deadlock("deadlock detected"), True),
        (sqlite3.OperationalError("database is locked"), True),
        (sqlite3.OperationalError("no such table: tickets"), False),
    ],
)
def test_contention_is_told_from_other_errors(orig: Exception, expected: bool) -> None:
    assert is_contention(OperationalError("UPDATE tickets", {}, orig)) is expected
    assert not is_contention(ValueError("database is locked"))


def test_a_lock_conflict_runs_the_whole_transaction_again(database: Database) -> None:
    attempts = []

    def work(session: Session) -> int:
        attempts.append(len(attempts))
        session.add(Tag(name=f"attempt-{len(attempts)}"))
        session.flush()
        if len(attempts) == 1:  # the first attempt's tag must not survive
            raise OperationalError("UPDATE tickets", {}, Deadlock("deadlock detected"))
        return len(attempts)

    assert database.retrying(work) == 2
    with database.unit_of_work() as session:
        names = session.scalars(select(Tag.name).where(Tag.name.startswith("attempt-")))
        assert names.all() == ["attempt-2"]


def test_other_errors_and_the_last_attempt_are_raised(database: Database) -> None:
    calls = 0

    def bad_row(session: Session) -> None:
        nonlocal calls
        calls += 1
        raise IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed"))

    with pytest.raises(IntegrityError):
        database.retrying(bad_row)
    assert calls == 1

    def always_locked(session: Session) -> None:
        nonlocal calls
        calls += 1
        session.add(Tag(name=f"locked-{calls}"))
        session.flush()
        raise OperationalError("UPDATE", {}, sqlite3.OperationalError("database is locked"))

    calls = 0
    with pytest.raises(OperationalError):
        database.retrying(always_locked, attempts=3)
    assert calls == 3
    assert _tags(database, "locked-") == 0
