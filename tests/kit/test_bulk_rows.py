"""`insert_rows` stores exactly what SQLAlchemy's own insert stores — datetimes in any zone,
JSON (None, Chinese, nested), booleans, NULLs, text with placeholder characters — in a few
multi-row statements, with each row's new id, in order; `execute_rows` updates exactly as
SQLAlchemy's executemany does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import bindparam, event, func, insert, select, update

from kefu.compliance.models import AuditEntry
from kefu.customers.models import Customer
from kefu.db import Database
from kefu.kit import bulk_rows
from kefu.kit.bulk_rows import OutOfOrderIds, execute_rows, insert_rows

SHANGHAI = timezone(timedelta(hours=8))
NOW = datetime(2026, 12, 6, 12, 30, 5, 123456, tzinfo=UTC)


def customer_rows() -> list[dict[str, Any]]:
    names = ["张伟", "Zoë 😀", "50% off? yes: ?,%s %(x)s", 'O\'Brien "quoted"', ""]
    rows = []
    for n, name in enumerate(names):
        rows.append(
            {
                "name": name,
                "language": "zh-CN" if n % 2 else None,
                "time_zone": None,
                "tags": ["客户", "vip"] if n == 0 else [],
                "notes": "第一行\n第二行\t☃" if n < 3 else "",
                "is_vip": n % 2 == 0,
                "merged_into_id": None,
                "created_at": NOW,  # one object repeated, as a batch's "now" is
                "updated_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=SHANGHAI) + timedelta(n),
            }
        )
    return rows


def audit_rows() -> list[dict[str, Any]]:
    changes: list[Any] = [
        {"name": [None, "张伟"], "nested": {"a": [1, 2.5, True, None]}},
        {},
        None,  # a JSON column's None is the JSON null, as SQLAlchemy writes it
        {"html": ["<p>", "</p>"], "emoji": "🎉", "quote": "'\"\\"},
    ]
    return [
        {
            "occurred_at": datetime(2026, 3, 4, 5, 6, 7, n, tzinfo=SHANGHAI),
            "actor_kind": "system",
            "actor_ref": "system",
            "actor_name": "系统",
            "action": "customers.created",
            "entity_type": "customers",
            "entity_id": None if n == 1 else str(n),
            "changes": change,
        }
        for n, change in enumerate(changes)
    ]


def stored(database: Database, table: str, ids: list[int]) -> list[tuple[Any, ...]]:
    """The rows as the driver returns them (SQLite: the stored text), without their ids."""
    with database.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            f"SELECT * FROM {table} WHERE id IN ({', '.join(map(str, ids))}) ORDER BY id"  # noqa: S608
        ).all()
    return [tuple(row)[1:] for row in rows]


@pytest.mark.parametrize(
    ("model", "make_rows"), [(Customer, customer_rows), (AuditEntry, audit_rows)]
)
def test_rows_are_stored_and_read_back_exactly_as_sqlalchemy_inserts_them(
    database: Database, model: Any, make_rows: Any
) -> None:
    table = model.__table__
    # given the same rows inserted by SQLAlchemy and by insert_rows
    with database.unit_of_work() as session:
        statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        by_sqlalchemy = list(session.execute(statement, make_rows()).scalars())
        by_helper = insert_rows(session, table, make_rows(), return_ids=True)
    # then the stored values are the same, byte for byte, and so are the ORM's reads
    assert len(by_helper) == len(by_sqlalchemy) == len(make_rows())
    assert stored(database, table.name, by_helper) == stored(database, table.name, by_sqlalchemy)
    columns = [c for c in table.c if c.key != "id"]
    with database.sessions() as session:
        read = {
            row.id: tuple(row)[1:]
            for row in session.execute(select(table.c.id, *columns).order_by(table.c.id))
        }
    assert [read[i] for i in by_helper] == [read[i] for i in by_sqlalchemy]
    # and each id is its own row's
    if model is Customer:
        assert [read[i][0] for i in by_helper] == [row["name"] for row in make_rows()]


def test_ids_come_back_in_row_order_from_few_statements(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given statements of at most 4 rows, and a counter of statements
    monkeypatch.setattr(bulk_rows, "MAX_ROWS", 4)
    inserts: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("INSERT"):
            inserts.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    rows = [{**customer_rows()[n % 5], "name": f"customer {n}"} for n in range(10)]
    # when ten rows are inserted
    with database.unit_of_work() as session:
        ids = insert_rows(session, Customer.__table__, rows, return_ids=True)
    # then three statements wrote them, and each id names its row
    assert len(inserts) == 3
    with database.sessions() as session:
        names = {row.id: row.name for row in session.execute(select(Customer.id, Customer.name))}
    assert [names[i] for i in ids] == [f"customer {n}" for n in range(10)]
    assert ids == sorted(ids)


def test_left_out_columns_get_their_python_defaults(database: Database) -> None:
    # given rows naming only some columns
    rows = [{"name": "Ann"}, {"name": "Bob"}]
    with database.unit_of_work() as session:
        by_helper = insert_rows(session, Customer.__table__, rows, return_ids=True)
        by_sqlalchemy = list(
            session.execute(
                insert(Customer.__table__).returning(Customer.id, sort_by_parameter_order=True),
                [{"name": "Ann"}, {"name": "Bob"}],
            ).scalars()
        )
    # then they get what SQLAlchemy gives them: [] tags, "" notes, not VIP, a creation time
    with database.sessions() as session:
        customers = {c.id: c for c in session.scalars(select(Customer))}
    for mine, theirs in zip(by_helper, by_sqlalchemy, strict=True):
        a, b = customers[mine], customers[theirs]
        assert (a.name, a.tags, a.notes, a.is_vip, a.language) == (b.name, [], "", False, None)
        assert a.created_at.tzinfo is not None


def test_rows_must_name_the_same_known_columns(database: Database) -> None:
    with database.unit_of_work() as session:
        with pytest.raises(ValueError, match="same columns"):
            insert_rows(session, Customer.__table__, [{"name": "a"}, {"notes": "b"}])
        with pytest.raises(ValueError, match="same columns"):
            insert_rows(session, Customer.__table__, [{"name": "a"}, {"name": "b", "notes": ""}])
        with pytest.raises(ValueError, match="no column"):
            insert_rows(session, Customer.__table__, [{"nickname": "a"}])
        assert insert_rows(session, Customer.__table__, [], return_ids=True) == []


def test_sqlite_ids_out_of_sequence_fail_the_insert(database: Database) -> None:
    """SQLite numbers rows at random once the largest id is taken: the order is unknown."""
    if database.backend != "sqlite":
        pytest.skip("PostgreSQL numbers rows from a sequence")
    with database.unit_of_work() as session:
        row = {**customer_rows()[0], "id": 2**63 - 1}
        session.execute(insert(Customer.__table__), [row])
    with database.unit_of_work() as session:
        rows = [{"name": f"n{n}"} for n in range(20)]
        with pytest.raises(OutOfOrderIds):
            insert_rows(session, Customer.__table__, rows, return_ids=True)


def test_execute_rows_updates_exactly_as_sqlalchemy_updates(database: Database) -> None:
    table = AuditEntry.__table__
    update_by_id = (
        update(table)
        .where(table.c.id == bindparam("entry_id"))
        .values(
            occurred_at=bindparam("at", type_=table.c.occurred_at.type),
            entity_id=bindparam("entity", type_=table.c.entity_id.type),
            actor_name=func.coalesce(table.c.actor_name, "?") + bindparam("suffix"),
            changes=bindparam("new_changes", type_=table.c.changes.type),
        )
    )
    # given two copies of the same entries
    with database.unit_of_work() as session:
        mine = insert_rows(session, table, audit_rows(), return_ids=True)
        theirs = insert_rows(session, table, audit_rows(), return_ids=True)

    def changes(ids: list[int]) -> list[dict[str, Any]]:
        return [
            {
                "entry_id": entry_id,
                "at": datetime(2026, 5, 6, 7, 8, 9, 10, tzinfo=SHANGHAI) if n % 2 else NOW,
                "entity": None if n == 0 else f"编号 {n}",
                "suffix": " %s ? 李",
                "new_changes": None if n == 1 else {"status": ["new", "open"], "n": n},
            }
            for n, entry_id in enumerate(ids)
        ]

    # when one copy is updated by execute_rows and the other by SQLAlchemy's executemany
    with database.unit_of_work() as session:
        execute_rows(session, update_by_id, changes(mine))
        session.connection().execute(update_by_id, changes(theirs))
    # then both hold the same values
    assert stored(database, table.name, mine) == stored(database, table.name, theirs)
    assert [row[6] for row in stored(database, table.name, mine)] == [
        None,
        "编号 1",
        "编号 2",
        "编号 3",
    ]


def test_execute_rows_refuses_what_sqlalchemy_would_fill_in_per_execution(
    database: Database,
) -> None:
    """customers.updated_at is set on update by SQLAlchemy itself (onupdate=utcnow)."""
    statement = (
        update(Customer.__table__)
        .where(Customer.__table__.c.id == bindparam("customer_id"))
        .values(name=bindparam("new_name"))
    )
    with database.unit_of_work() as session, pytest.raises(NotImplementedError):
        execute_rows(session, statement, [{"customer_id": 1, "new_name": "x"}])
