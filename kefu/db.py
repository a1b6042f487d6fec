"""Database layer: declarative Base, engine set-up for SQLite and PostgreSQL, unit of work."""

import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import JSON, BigInteger, DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from kefu.kit import sqlite_turnstile
from kefu.kit.clock import as_utc

T = TypeVar("T")
log = logging.getLogger(__name__)

READING = sqlite_turnstile.READING  # execution option of Database.reading's connections

# PostgreSQL's deadlock_detected, serialization_failure and lock_not_available: the database
# broke a conflict between transactions by failing this one; run again, it may well pass.
_CONTENTION_STATES = frozenset({"40P01", "40001", "55P03"})

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets a real bigint.
BigId = BigInteger().with_variant(sqlite.INTEGER(), "sqlite")
JsonDoc = JSON().with_variant(postgresql.JSONB(), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both databases (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; kefu stores timezone-aware UTC times")
        return as_utc(value) if dialect.name != "sqlite" else as_utc(value).replace(tzinfo=None)

    def result_processor(self, dialect: Any, coltype: Any) -> Callable[[Any], datetime | None]:
        """The driver's value as `as_utc` gives it, in one function (inlined, not a
        `process_result_value`): every row a batch loads has several of these columns (a
        ticket seven, an SLA clock nine), and the generic wrapper cost three calls a value."""
        parse = self.impl_instance.dialect_impl(dialect).result_processor(dialect, coltype)

        def process(value: Any) -> datetime | None:
            if value is None:
                return None
            if parse is not None:
                value = parse(value)
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

        return process


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Schema objects a migration manages by hand (an FTS5 table and its shadow tables, an index
# only one database has): names starting with these are left out of autogenerate and of the
# model-versus-schema test. Domains add theirs in their models module.
UNMANAGED_SCHEMA_NAMES: set[str] = set()


def include_in_schema_compare(
    obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any
) -> bool:
    """Alembic's include_object hook: everything but UNMANAGED_SCHEMA_NAMES."""
    return not (name and name.startswith(tuple(UNMANAGED_SCHEMA_NAMES)))


class Audited:
    """Marks a model whose inserts, updates and deletes are written to the audit log.

    `__audit_redact__` names columns whose values never enter the log (only that they changed);
    `__audit_ignore__` names bookkeeping columns (last used, last seen) not worth an entry.
    """

    __audit_redact__: frozenset[str] = frozenset()
    __audit_ignore__: frozenset[str] = frozenset()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """One engine per process and database; SQLite gets WAL, foreign keys and write locking."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs
        )
        if parsed.database and parsed.database != ":memory:" and not parsed.query.get("mode"):
            sqlite_turnstile.install(engine, parsed.database)  # its "begin" goes first
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        kwargs.setdefault("connect_args", {"connect_timeout": 10})
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from pysqlite (SQLAlchemy's documented recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front, so two writers queue on busy_timeout
        # instead of one failing with "database is locked" when it upgrades a read lock.
        # A reading session (Database.reading) only reads: a deferred BEGIN, a snapshot.
        reading = connection.get_execution_options().get(READING)
        connection.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")


class Database:
    """The engine and session factory of one database, plus what runs after a commit."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        self.after_commit_hooks: list[Callable[[Session], None]] = []
        event.listen(self.sessions, "after_commit", self._after_commit)

    @classmethod
    def from_url(cls, url: str) -> "Database":
        return cls(make_engine(url))

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    def _after_commit(self, session: Session) -> None:
        # SQLAlchemy also calls after_commit when a savepoint (begin_nested) is released; the
        # work is durable, and may be announced, only once the outer transaction commits.
        if session.in_nested_transaction():
            return
        for hook in self.after_commit_hooks:
            hook(session)

    @contextmanager
    def unit_of_work(self, actor: Any = None) -> Iterator[Session]:
        """Commit on success, roll back on any exception: the one place kefu commits."""
        session = self.sessions()
        if actor is not None:
            session.info["actor"] = actor
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session that only reads, in one transaction that is rolled back at the end. On
        SQLite it takes neither the write lock nor the writers' turnstile (a WAL snapshot
        from its first read on), so reading and working out what to write next can happen
        while another process writes. Nothing written in it is kept."""
        session = self.sessions(bind=self.engine.execution_options(**{READING: True}))
        try:
            yield session
        finally:
            session.rollback()
            session.close()

    def retrying(self, work: Callable[[Session], T], *, attempts: int = 5) -> T:
        """`work` in a unit of work, run again from the start (after a short random pause)
        when the database failed it to break a conflict with another transaction — a
        deadlock, a serialization failure, SQLite's busy timeout. `work` must be safe to run
        again: everything it did in the failed attempt was rolled back."""
        for attempt in range(1, attempts + 1):
            try:
                with self.unit_of_work() as session:
                    return work(session)
            except DBAPIError as exc:
                if attempt == attempts or not is_contention(exc):
                    raise
                log.warning("lock conflict, transaction run again (try %d): %s", attempt, exc.orig)
                time.sleep(random.uniform(0.01, 0.05) * attempt)  # noqa: S311 (jitter)
        raise AssertionError("unreachable")

    def dispose(self) -> None:
        self.engine.dispose()


def is_contention(exc: BaseException) -> bool:
    """Whether the database failed a statement only because another transaction held what it
    needed (a retry of the whole transaction may pass), not because of the statement."""
    if not isinstance(exc, DBAPIError):
        return False
    if getattr(exc.orig, "sqlstate", None) in _CONTENTION_STATES:
        return True
    message = str(exc.orig).lower()  # SQLite has no codes in its Python errors
    return "database is locked" in message or "database table is locked" in message
