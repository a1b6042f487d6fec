"""The audit log page for admins."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kefu.compliance.service import AuditFilter, list_entries
from kefu.web.deps import DbSession, PageActor
from kefu.web.templating import render

router = APIRouter()


@router.get("/admin/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    session: DbSession,
    actor: PageActor,
    entity_type: str | None = None,
    actor_ref: str | None = None,
    before_id: int | None = None,
) -> Response:
    filters = AuditFilter(entity_type=entity_type or None, actor_ref=actor_ref or None)
    page = list_entries(session, actor=actor, filters=filters, before_id=before_id, limit=50)
    return render(
        request,
        "compliance/audit.html",
        {"page": page, "entity_type": entity_type or "", "actor_ref": actor_ref or ""},
    )
