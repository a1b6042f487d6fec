"""Audit log JSON API (admins)."""

from fastapi import Query

from kefu.api.routing import api_router
from kefu.compliance.schemas import AuditEntryRead, AuditPage
from kefu.compliance.service import AuditFilter, list_entries
from kefu.kit.bounds import INT8_MAX
from kefu.kit.clock import UtcTime
from kefu.web.deps import ApiActor, DbSession

router = api_router("audit")


@router.get("/audit-entries", response_model=AuditPage)
def audit_entries(
    session: DbSession,
    actor: ApiActor,
    entity_type: str | None = None,
    entity_id: str | None = None,
    actor_ref: str | None = Query(default=None, description="agent:12, api_token:3, job:…"),
    action: str | None = None,
    since: UtcTime | None = None,
    until: UtcTime | None = None,
    before_id: int | None = Query(
        default=None, ge=1, le=INT8_MAX, description="next_cursor of the previous page"
    ),
    limit: int = Query(default=50, ge=1, le=200),
) -> AuditPage:
    filters = AuditFilter(
        entity_type=entity_type,
        entity_id=entity_id,
        actor_ref=actor_ref,
        action=action,
        since=since,
        until=until,
    )
    page = list_entries(session, actor=actor, filters=filters, before_id=before_id, limit=limit)
    return AuditPage(
        items=[AuditEntryRead.model_validate(e) for e in page.items], next_cursor=page.next_cursor
    )
