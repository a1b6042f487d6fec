"""Bulk loading of the inbox benchmark's rows straight into the migrated schema.

PostgreSQL gets COPY with foreign-key triggers off (`session_replication_role = replica`),
SQLite executemany in large transactions; both drop the secondary indexes of the loaded
tables first and build them once at the end, which is several times faster than keeping
them up to date row by row."""

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import text

from bench.inbox_data import COLUMNS, TIMES, Batch, Row
from kefu.db import Database
from kefu.tickets.models import TicketSearchDocument

LOADED = ("customers", "customer_identities", "tickets", "messages", "ticket_tags")
SERIAL = ("teams", "agents", "tags", "customers", "customer_identities", "tickets", "messages")


class Loader(Protocol):
    def __enter__(self) -> "Loader": ...
    def __exit__(self, *exc: object) -> None: ...
    def write(self, batch: Batch) -> None: ...
    def finish(self, advance: Callable[[str], None]) -> int:
        """Rebuild the dropped indexes (calling `advance` before each); returns how many."""
        ...


def loader_for(database: Database) -> Loader:
    if database.backend == "postgresql":
        return PostgresLoader(database)
    return SqliteLoader(database)


def _with_times(table: str, rows: Iterable[Row], convert: Callable[[int], Any]) -> list[Row]:
    positions = TIMES[table]
    if not positions:
        return list(rows)
    out = []
    for row in rows:
        values = list(row)
        for i in positions:
            if values[i] is not None:
                values[i] = convert(values[i])  # type: ignore[arg-type]
        out.append(tuple(values))
    return out


class PostgresLoader:
    def __init__(self, database: Database) -> None:
        self.raw = database.engine.raw_connection()
        self.conn: Any = self.raw.driver_connection
        self.indexes: list[str] = []

    def __enter__(self) -> "PostgresLoader":
        self.conn.execute("SET session_replication_role = replica")  # no FK triggers
        self.conn.execute("SET maintenance_work_mem = '512MB'")
        self._drop_indexes()
        self.conn.commit()
        return self

    def __exit__(self, *exc: object) -> None:
        self.conn.rollback()
        self.conn.execute("RESET session_replication_role")
        self.conn.commit()
        self.raw.close()

    def _drop_indexes(self) -> None:
        """Drop secondary indexes and unique constraints (not primary keys) of the big
        tables; remember the statements that make them again."""
        rows = self.conn.execute(
            """
            SELECT c.relname, i.relname, pg_get_indexdef(ix.indexrelid), k.conname,
                   pg_get_constraintdef(k.oid)
            FROM pg_index ix
            JOIN pg_class i ON i.oid = ix.indexrelid
            JOIN pg_class c ON c.oid = ix.indrelid
            LEFT JOIN pg_constraint k ON k.conindid = ix.indexrelid AND k.contype = 'u'
            WHERE c.relname = ANY(%s) AND c.relnamespace = 'public'::regnamespace
              AND NOT ix.indisprimary
              AND NOT EXISTS (
                SELECT 1 FROM pg_constraint o
                WHERE o.conindid = ix.indexrelid AND o.contype <> 'u')
            ORDER BY c.relname, i.relname
            """,
            (list(LOADED),),
        ).fetchall()
        for table, index, index_sql, constraint, constraint_sql in rows:
            if constraint:
                self.conn.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{constraint}"')
                self.indexes.append(
                    f'ALTER TABLE "{table}" ADD CONSTRAINT "{constraint}" {constraint_sql}'
                )
            else:
                self.conn.execute(f'DROP INDEX "{index}"')
                self.indexes.append(index_sql)

    def write(self, batch: Batch) -> None:
        with self.conn.cursor() as cursor:
            for table, rows in batch.items():
                columns = ", ".join(f'"{c}"' for c in COLUMNS[table])
                with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                    for row in _with_times(table, rows, _aware):
                        copy.write_row(row)
        self.conn.commit()

    def finish(self, advance: Callable[[str], None]) -> int:
        for sql in self.indexes:
            advance(sql)
            self.conn.execute(sql)
            self.conn.commit()
        for table in SERIAL:
            self.conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f'coalesce((SELECT max(id) FROM "{table}"), 0) + 1, false)'
            )
        self.conn.commit()
        return len(self.indexes)


def _aware(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def _sqlite_text(seconds: int) -> str:
    """How SQLAlchemy stores a DateTime on SQLite (naive UTC, microseconds always shown), so
    the loaded rows compare and sort exactly like rows the app writes."""
    return time.strftime("%Y-%m-%d %H:%M:%S.000000", time.gmtime(seconds))


class SqliteLoader:
    def __init__(self, database: Database) -> None:
        self.raw = database.engine.raw_connection()
        self.conn: Any = self.raw.driver_connection
        self.indexes: list[str] = []

    def __enter__(self) -> "SqliteLoader":
        for pragma in (
            "foreign_keys = OFF",  # the generator writes consistent rows; checked in the test
            "synchronous = OFF",
            "cache_size = -262144",  # 256 MiB
            "temp_store = MEMORY",
        ):
            self.conn.execute(f"PRAGMA {pragma}")
        marks = ", ".join("?" * len(LOADED))
        for name, sql in self.conn.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks}) ORDER BY tbl_name, name",
            LOADED,
        ).fetchall():
            self.conn.execute(f'DROP INDEX "{name}"')
            self.indexes.append(sql)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.conn.in_transaction:
            self.conn.execute("ROLLBACK")
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA synchronous = NORMAL")
        self.raw.close()

    def write(self, batch: Batch) -> None:
        self.conn.execute("BEGIN")
        for table, rows in batch.items():
            columns = COLUMNS[table]
            self.conn.executemany(
                f'INSERT INTO "{table}" ({", ".join(columns)}) '
                f"VALUES ({', '.join('?' * len(columns))})",
                _with_times(table, rows, _sqlite_text),
            )
        self.conn.execute("COMMIT")

    def finish(self, advance: Callable[[str], None]) -> int:
        for sql in self.indexes:
            advance(sql)
            self.conn.execute(sql)
        self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return len(self.indexes)


@contextmanager
def search_index_deferred(database: Database) -> Iterator[None]:
    """On PostgreSQL, fill the search documents without their GIN index, then build it in one
    pass: the same index, several times faster than growing it document by document. (SQLite's
    rebuild already writes FTS5 in batches.)"""
    if database.backend != "postgresql":
        yield
        return
    with database.engine.begin() as conn:
        found = conn.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :t AND NOT "
                "EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conname = indexname)"
            ),
            {"t": TicketSearchDocument.__tablename__},
        ).all()
        for name, _ in found:
            conn.execute(text(f'DROP INDEX "{name}"'))
    try:
        yield
    finally:
        with database.engine.begin() as conn:
            conn.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
            for _, sql in found:
                conn.execute(text(sql))
