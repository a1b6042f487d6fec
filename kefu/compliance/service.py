"""Audit log writes that are not a row change (sign-ins, exports) and its read side."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.compliance.audit import plain
from kefu.compliance.models import AuditEntry
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.kit.pagination import Page, newest_first
from kefu.permissions import require


def record(
    session: Session,
    *,
    action: str,
    entity_type: str,
    entity_id: object | None = None,
    changes: dict[str, Any] | None = None,
    actor: Actor | None = None,
) -> AuditEntry:
    """Log an action that changes no audited row itself (a sign-in, a failed sign-in)."""
    who = actor or session.info.get("actor") or Actor.system()
    entry = AuditEntry(
        occurred_at=utcnow(),
        actor_kind=who.kind,
        actor_ref=who.ref,
        actor_name=who.name,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        changes=plain(changes or {}),
    )
    session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditFilter:
    entity_type: str | None = None
    entity_id: str | None = None
    actor_ref: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_entries(
    session: Session,
    *,
    actor: Actor,
    filters: AuditFilter,
    before_id: int | None = None,
    limit: int = 50,
) -> Page[AuditEntry]:
    require(actor, "audit.read")
    statement = select(AuditEntry)
    if filters.entity_type:
        statement = statement.where(AuditEntry.entity_type == filters.entity_type)
    if filters.entity_id:
        statement = statement.where(AuditEntry.entity_id == filters.entity_id)
    if filters.actor_ref:
        statement = statement.where(AuditEntry.actor_ref == filters.actor_ref)
    if filters.action:
        statement = statement.where(AuditEntry.action == filters.action)
    if filters.since:
        statement = statement.where(AuditEntry.occurred_at >= filters.since)
    if filters.until:
        statement = statement.where(AuditEntry.occurred_at < filters.until)
    return newest_first(session, statement, AuditEntry.id, before_id=before_id, limit=limit)
