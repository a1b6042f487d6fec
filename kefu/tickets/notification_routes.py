"""Notifications JSON API under /api/v1: the caller's own notifications."""

from fastapi import APIRouter, Query

from kefu.tickets import notifications
from kefu.tickets.notification_schemas import (
    MarkRead,
    MarkReadResult,
    NotificationPage,
    NotificationRead,
)
from kefu.web.deps import ApiActor, DbSession

router = APIRouter(tags=["notifications"])


@router.get("/notifications", response_model=NotificationPage)
def list_notifications(
    session: DbSession,
    actor: ApiActor,
    before_id: int | None = Query(default=None, description="next_cursor of the previous page"),
    limit: int = Query(default=50, ge=1, le=200),
    unread: bool = Query(default=False, description="only unread ones"),
) -> NotificationPage:
    page = notifications.list_notifications(
        session, actor=actor, cursor=before_id, limit=limit, unread_only=unread
    )
    return NotificationPage(
        items=[NotificationRead.model_validate(n) for n in page.items],
        next_cursor=page.next_cursor,
        unread_count=notifications.unread_count(session, actor=actor),
    )


@router.post("/notifications/read", response_model=MarkReadResult)
def mark_read(data: MarkRead, session: DbSession, actor: ApiActor) -> MarkReadResult:
    marked = notifications.mark_read(session, actor=actor, ids=data.ids, all=data.all)
    return MarkReadResult(
        marked=marked, unread_count=notifications.unread_count(session, actor=actor)
    )
