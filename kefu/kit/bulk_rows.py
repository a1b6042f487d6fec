"""Many rows into one table, fast: the one way bulk writers (bulk ingest) insert rows.

SQLAlchemy's executemany costs tens of microseconds a row in parameter processing, and on
SQLite an INSERT ... RETURNING asked for its ids in order (`sort_by_parameter_order`) is run
one statement per row. `insert_rows` instead writes multi-row `INSERT ... VALUES (...),
(...)` statements (both SQLite and PostgreSQL take them, with RETURNING), with each column's
values converted once, column by column, by that column type's own bind processor — the very
function SQLAlchemy would call, so the stored values (UTC datetimes as SQLite's text, JSON
documents, booleans, NULLs) are exactly those of an ORM or Core insert, and read back the same.

The new ids come back in the order of the rows. Both databases assign an autoincrementing
key in the order a VALUES list is inserted, so the RETURNING rows, in whatever order they
arrive, are sorted by id; on SQLite, where a statement's new keys are consecutive (one past
the largest), anything else — a key space exhausted, a trigger inserting into the same
table — fails the statement rather than hand out a wrong id.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import UpdateBase

MAX_ROWS = 1000  # rows in one statement (as SQLAlchemy's insertmanyvalues)
MAX_PARAMETERS = 30_000  # below SQLite's 32,766 and PostgreSQL's 65,535 bound values
_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}

Processor = Callable[[Any], Any]
_UNSET = object()


class OutOfOrderIds(RuntimeError):
    """The database did not number a statement's rows one after another (SQLite)."""


def insert_rows(
    target: Session | Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    return_ids: bool = False,
) -> list[int]:
    """Insert `rows` (dicts of column key -> Python value, all with the same keys) into
    `table`, in order, in as few statements as fit; the new `id` of each row, in order, with
    `return_ids` (else []). A column the rows leave out gets its Python-side default (a
    value, or a function of no arguments called per row) as an ORM insert would, else the
    database's default."""
    if not rows:
        return []
    connection = target.connection() if isinstance(target, Session) else target
    dialect = connection.dialect
    if return_ids and not dialect.insert_returning:
        raise NotImplementedError("the database cannot return new ids (SQLite before 3.35)")
    keys = tuple(rows[0])
    columns = _Columns.of(table, keys, dialect)
    values = columns.values(rows)
    width = len(columns.names)
    per_statement = max(1, min(MAX_ROWS, MAX_PARAMETERS // width))
    ids: list[int] = []
    for start in range(0, len(rows), per_statement):
        count = min(per_statement, len(rows) - start)
        sql = columns.statement(count, return_ids)
        flat = values[start * width : (start + count) * width]
        result = connection.exec_driver_sql(sql, tuple(flat))
        if return_ids:
            ids += _in_order([row[0] for row in result], count, dialect.name)
    return ids


def execute_rows(
    target: Session | Connection, statement: UpdateBase, rows: Sequence[dict[str, Any]]
) -> None:
    """Run `statement` (an UPDATE, say, with `bindparam`s named as the rows' keys) once for
    each row, in one executemany of the statement compiled once, its values converted as
    `insert_rows` converts them. Build the statement once (at import): it is cached by
    identity."""
    if not rows:
        return
    connection = target.connection() if isinstance(target, Session) else target
    compiled = _compiled(statement, connection.dialect)
    connection.exec_driver_sql(compiled.sql, compiled.parameters(rows))


def _in_order(returned: list[int], count: int, backend: str) -> list[int]:
    """The ids of one statement's rows in the order of its VALUES list."""
    returned.sort()
    if len(returned) != count:
        raise OutOfOrderIds(f"{count} rows inserted, {len(returned)} ids returned")
    if backend == "sqlite" and returned and returned[-1] - returned[0] != count - 1:
        raise OutOfOrderIds(f"ids {returned[0]}..{returned[-1]} for {count} rows")
    return returned


class _Columns:
    """The columns a set of rows fills: their quoted names, bind processors and defaults."""

    def __init__(self, table: Table, keys: tuple[str, ...], dialect: Dialect) -> None:
        unknown = [key for key in keys if key not in table.c]
        if unknown:
            raise ValueError(f"no column {unknown} in {table.name}")
        self.keys = keys
        self.defaults: dict[str, Any] = {}
        for column in table.c:
            default = column.default
            if column.key in keys or default is None:
                continue
            if getattr(default, "is_scalar", False) or getattr(default, "is_callable", False):
                self.defaults[column.key] = default  # a value, or a function of no arguments
            else:
                raise ValueError(f"{table.name}.{column.key}: give its value (a SQL default)")
        self.filled = (*keys, *self.defaults)
        preparer = dialect.identifier_preparer
        self.names = tuple(preparer.quote(table.c[key].name) for key in self.filled)
        try:
            mark = _PLACEHOLDERS[dialect.paramstyle]
        except KeyError:
            raise NotImplementedError(f"paramstyle {dialect.paramstyle}") from None
        # the table's own quoted names; every value is bound
        into = f"{preparer.format_table(table)} ({', '.join(self.names)})"
        self.head = f"INSERT INTO {into} VALUES "  # noqa: S608
        self.one = "(" + ", ".join([mark] * len(self.names)) + ")"
        self.returning = f" RETURNING {preparer.quote(table.c.id.name)}" if "id" in table.c else ""
        self.processors: list[Processor | None] = [
            table.c[key].type.dialect_impl(dialect).bind_processor(dialect) for key in self.filled
        ]

    def statement(self, count: int, return_ids: bool) -> str:
        """The INSERT of `count` rows."""
        if return_ids and not self.returning:
            raise ValueError("the table has no id column to return")
        values = ", ".join([self.one] * count)
        return self.head + values + (self.returning if return_ids else "")

    @classmethod
    def of(cls, table: Table, keys: tuple[str, ...], dialect: Dialect) -> _Columns:
        return _columns(table, keys, dialect)

    def values(self, rows: Sequence[dict[str, Any]]) -> list[Any]:
        """Every row's bound values, row after row, converted as SQLAlchemy converts them."""
        by_column: list[list[Any]] = []
        for key in self.keys:
            try:
                by_column.append([row[key] for row in rows])
            except KeyError:
                raise ValueError(f"every row needs the same columns ({key} is missing)") from None
        for default in self.defaults.values():
            if default.is_callable:  # SQLAlchemy wraps a function of no arguments as fn(ctx)
                by_column.append([default.arg(None) for _ in rows])
            else:
                by_column.append([default.arg] * len(rows))
        if set(map(len, rows)) != {len(self.keys)}:
            raise ValueError("every row needs the same columns")
        for index, process in enumerate(self.processors):
            if process is not None:
                by_column[index] = _processed(process, by_column[index])
        return [value for row in zip(*by_column, strict=True) for value in row]


def _processed(process: Processor, values: list[Any]) -> list[Any]:
    """`process` of each value; a value repeated from the row before (the batch's one "now")
    is converted once."""
    out: list[Any] = []
    last: Any = _UNSET
    done: Any = None
    for value in values:
        if value is not last:
            last, done = value, process(value)
        out.append(done)
    return out


class _Compiled:
    """A statement compiled for a dialect, with each bound parameter's processor and the
    values of those the statement carries itself (a literal 0, say)."""

    def __init__(self, statement: UpdateBase, dialect: Dialect) -> None:
        compiled = statement.compile(dialect=dialect)
        if getattr(compiled, "escaped_bind_names", None):
            raise NotImplementedError("parameter names that need escaping")
        if compiled.insert_prefetch or compiled.update_prefetch:  # type: ignore[attr-defined]
            raise NotImplementedError("Python-side defaults SQLAlchemy computes per execution")
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise NotImplementedError("parameters rendered per execution (IN lists)")
        self.sql = compiled.string
        self.positional = dialect.positional
        binds = {name: bind for bind, name in compiled.bind_names.items()}  # as rendered
        self.names = tuple(compiled.positiontup or ()) if self.positional else tuple(binds)
        self.processors: dict[str, Processor] = {}
        self.fixed: dict[str, Any] = {}
        for name in set(self.names):
            bind = binds[name]
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                self.processors[name] = process
            if not bind.required:
                value = bind.effective_value
                self.fixed[name] = process(value) if process is not None else value

    def parameters(self, rows: Sequence[dict[str, Any]]) -> list[Any]:
        columns = []
        for name in self.names:
            if name in self.fixed and name not in rows[0]:
                columns.append([self.fixed[name]] * len(rows))
                continue
            try:
                values = [row[name] for row in rows]
            except KeyError:
                raise ValueError(f"every row needs a value for {name}") from None
            process = self.processors.get(name)
            columns.append(values if process is None else _processed(process, values))
        if self.positional:
            return list(zip(*columns, strict=True))
        return [dict(zip(self.names, values, strict=True)) for values in zip(*columns, strict=True)]


@lru_cache(maxsize=64)
def _compiled(statement: UpdateBase, dialect: Dialect) -> _Compiled:
    return _Compiled(statement, dialect)


@lru_cache(maxsize=256)
def _columns(table: Table, keys: tuple[str, ...], dialect: Dialect) -> _Columns:
    return _Columns(table, keys, dialect)
