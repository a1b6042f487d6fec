"""Writes the audit log inside the same flush as the change, for every `Audited` model.

Services do not have to remember to log: any insert, update or delete of an audited row is
recorded with the acting person, token or job from `session.info["actor"]`.
"""

from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, sessionmaker

from kefu.compliance.models import AuditEntry
from kefu.db import Audited
from kefu.kit.actor import Actor
from kefu.kit.bulk_rows import insert_rows
from kefu.kit.clock import utcnow

REDACTED = "[redacted]"


def plain(value: Any) -> Any:
    """A JSON-safe rendering of a column value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    return str(value)


def _entity_type(obj: Any) -> str:
    return obj.__table__.name


def _entity_id(obj: Any) -> str | None:
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return None if any(part is None for part in key) else ",".join(str(part) for part in key)


def _changes(obj: Audited, *, mode: str) -> dict[str, list[Any]]:
    """{column: [before, after]}; redacted columns show only that they changed."""
    state = inspect(obj)
    changes: dict[str, list[Any]] = {}
    touched = state.committed_state  # the attributes set since the load: only they can differ
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in obj.__audit_ignore__:
            continue
        if mode == "update":
            if key not in touched:
                continue
            history = state.attrs[key].history
            if not history.has_changes():
                continue
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
        elif mode == "insert":
            before, after = None, state.dict.get(key)
            if after is None:
                continue
        else:
            before, after = state.dict.get(key), None
        if key in obj.__audit_redact__:
            changes[key] = [REDACTED if before is not None else None, REDACTED]
        else:
            changes[key] = [plain(before), plain(after)]
    return changes


def _row(actor: Actor, action: str, obj: Any, changes: dict[str, list[Any]]) -> dict[str, Any]:
    return {
        "occurred_at": utcnow(),
        "actor_kind": actor.kind,
        "actor_ref": actor.ref,
        "actor_name": actor.name[:200],  # the column's length; a long name must not block writes
        "action": action,
        "entity_type": _entity_type(obj),
        "entity_id": _entity_id(obj),
        "changes": changes,
    }


def _after_flush(session: Session, _context: Any) -> None:
    actor: Actor = session.info.get("actor") or Actor.system()
    rows: list[dict[str, Any]] = []
    for obj in session.new:
        if isinstance(obj, Audited):
            changes = _changes(obj, mode="insert")
            rows.append(_row(actor, f"{_entity_type(obj)}.created", obj, changes))
    for obj in session.dirty:  # dirty: set since the load, maybe to the same value
        if isinstance(obj, Audited):
            changes = _changes(obj, mode="update")
            if changes:
                rows.append(_row(actor, f"{_entity_type(obj)}.updated", obj, changes))
    for obj in session.deleted:
        if isinstance(obj, Audited):
            changes = _changes(obj, mode="delete")
            rows.append(_row(actor, f"{_entity_type(obj)}.deleted", obj, changes))
    if rows:
        session.connection().execute(insert(AuditEntry), rows)


def install_audit_listener(sessions: sessionmaker[Session]) -> None:
    if not event.contains(sessions, "after_flush", _after_flush):
        event.listen(sessions, "after_flush", _after_flush)


def inserted_entries(model: type[Audited], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The audit rows the flush listener would write for these rows inserted through the ORM,
    for rows inserted without it (bulk ingest). Each row holds every column's value,
    defaults included, and its primary key."""
    keys, redacted, primary, action = _inserted_shape(model)
    entries = []
    for row in rows:
        changes: dict[str, list[Any]] = {}
        for key in keys:
            value = row.get(key)
            if value is None:
                continue
            if key in redacted:
                changes[key] = [None, REDACTED]
            else:  # `plain` of a str, int, float or bool is the value itself
                changes[key] = [None, value if type(value) in _AS_IS else plain(value)]
        entity_id = ",".join([str(row[key]) for key in primary])
        entries.append({"action": action, "entity_id": entity_id, "changes": changes})
    return entries


_AS_IS = frozenset({str, int, float, bool})


@cache
def _inserted_shape(
    model: type[Audited],
) -> tuple[tuple[str, ...], frozenset[str], tuple[str, ...], str]:
    """An audited model's logged columns, redacted ones, primary key and "created" action."""
    mapper = inspect(model)
    keys = tuple(a.key for a in mapper.column_attrs if a.key not in model.__audit_ignore__)
    primary = tuple(column.key for column in mapper.primary_key)
    action = f"{model.__table__.name}.created"  # type: ignore[attr-defined]
    return keys, model.__audit_redact__, primary, action


def updated_entry(model: type[Audited], entity_id: object, changes: dict[str, list[Any]]) -> dict:
    """The audit row of an update made without the ORM ({column: [before, after]})."""
    table = model.__table__.name  # type: ignore[attr-defined]
    return {
        "action": f"{table}.updated",
        "entity_id": str(entity_id),
        "changes": {key: [plain(before), plain(after)] for key, (before, after) in changes.items()},
    }


def write_entries(session: Session, entries: list[dict[str, Any]]) -> None:
    """Insert audit rows built by `inserted_entries`/`updated_entry`, by the session's actor."""
    if not entries:
        return
    actor: Actor = session.info.get("actor") or Actor.system()
    now = utcnow()
    insert_rows(
        session,
        AuditEntry.__table__,
        [
            {
                "occurred_at": now,
                "actor_kind": actor.kind,
                "actor_ref": actor.ref,
                "actor_name": actor.name[:200],
                "entity_type": entry["action"].rsplit(".", 1)[0],
                **entry,
            }
            for entry in entries
        ],
    )
