"""Email actions on a ticket's messages: try a failed reply again, read the original mail."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kefu.channels.email import outbound
from kefu.kit.i18n import gettext as _
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect

router = APIRouter()


@router.post("/tickets/{ticket_id}/messages/{message_id}/resend", dependencies=[CsrfProtected])
def resend(session: DbSession, actor: PageActor, ticket_id: int, message_id: int) -> Response:
    outbound.resend(session, actor=actor, ticket_id=ticket_id, message_id=message_id)
    return redirect(
        f"/tickets/{ticket_id}#message-{message_id}", _("The reply will be sent again.")
    )


@router.get("/tickets/{ticket_id}/messages/{message_id}/original")
def original(
    request: Request, session: DbSession, actor: PageActor, ticket_id: int, message_id: int
) -> Response:
    """The message exactly as it came or went, as a file (never rendered: it is untrusted)."""
    sha256 = outbound.original_of(session, actor=actor, ticket_id=ticket_id, message_id=message_id)
    raw = request.app.state.runtime.files.read(sha256)
    return Response(
        raw,
        media_type="message/rfc822",
        headers={
            "Content-Disposition": f'attachment; filename="message-{message_id}.eml"',
            "X-Content-Type-Options": "nosniff",
        },
    )
