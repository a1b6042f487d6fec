"""Admins' actions on mail that could not be stored: download it, try it again."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kefu.channels.email import failures
from kefu.kit.i18n import gettext as _
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect

router = APIRouter()


@router.post("/admin/mailboxes/failures/{failure_id}/retry", dependencies=[CsrfProtected])
def retry(request: Request, session: DbSession, actor: PageActor, failure_id: int) -> Response:
    runtime = request.app.state.runtime
    stored = failures.retry_failure(
        session, runtime.files, actor=actor, failure_id=failure_id, settings=runtime.settings
    )
    if stored:
        return redirect("/admin/mailboxes", _("The mail was stored."))
    return redirect("/admin/mailboxes", _("The mail still cannot be stored."), kind="error")


@router.get("/admin/mailboxes/failures/{failure_id}/original")
def original(request: Request, session: DbSession, actor: PageActor, failure_id: int) -> Response:
    failure = failures.get_failure(session, actor=actor, failure_id=failure_id)
    raw = request.app.state.runtime.files.read(failure.raw_sha256)
    return Response(
        raw,
        media_type="message/rfc822",
        headers={"Content-Disposition": f'attachment; filename="failed-{failure_id}.eml"'},
    )
