"""Stored times come back as aware UTC datetimes on both databases, however they were written
and whatever zone the connection speaks (kefu.db.UtcDateTime)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import Column, Integer, MetaData, Table, insert, select, text

from kefu.db import Database, UtcDateTime

MOMENT = datetime(2026, 3, 29, 1, 30, 5, 123456, tzinfo=UTC)  # London's spring-forward night
NAIVE_INSERT = "INSERT INTO utc_times_check (at) VALUES ('2026-03-29 01:30:05')"


def test_times_read_back_are_aware_utc(database: Database) -> None:
    # given a table of times, written as UTC, as another zone, as NULL, and (on SQLite) as a
    # naive text a hand-written statement stores
    table = Table("utc_times_check", MetaData(), Column("id", Integer, primary_key=True))
    table.append_column(Column("at", UtcDateTime))
    shanghai = MOMENT.astimezone(timezone(timedelta(hours=8)))
    with database.engine.begin() as connection:
        table.create(connection)
        try:
            connection.execute(insert(table), [{"at": MOMENT}, {"at": shanghai}, {"at": None}])
            if database.backend == "sqlite":
                connection.execute(text(NAIVE_INSERT))
            else:  # the connection's zone is not UTC
                connection.execute(text("SET LOCAL TIME ZONE 'Asia/Shanghai'"))
            # when they are read back
            read = [row.at for row in connection.execute(select(table).order_by(table.c.id))]
        finally:
            table.drop(connection)
    # then each is the same instant, in UTC, and NULL stays None
    assert read[:3] == [MOMENT, MOMENT, None]
    assert all(at is None or at.tzinfo is UTC for at in read)
    if database.backend == "sqlite":
        assert read[3] == MOMENT.replace(microsecond=0)


def test_a_naive_time_is_refused(database: Database) -> None:
    with pytest.raises(ValueError, match="naive"):
        UtcDateTime().process_bind_param(datetime(2026, 1, 1), database.engine.dialect)
