"""An agent sets or corrects a ticket's intent from the AI panel on the ticket page."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kefu.ai import insights
from kefu.errors import KefuError, refusal_message
from kefu.kit import i18n
from kefu.web import forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import language_for

router = APIRouter()


@router.post("/tickets/{ticket_id}/ai/intent", dependencies=[CsrfProtected])
def set_intent(
    request: Request, session: DbSession, actor: PageActor, ticket_id: int, form: forms.Form
) -> Response:
    i18n.current_language.set(language_for(request))
    back = f"/tickets/{ticket_id}"
    try:
        with session.begin_nested():
            insights.set_intent(
                session, actor=actor, ticket_id=ticket_id, intent=forms.text(form, "intent")
            )
    except KefuError as exc:
        return redirect(back, refusal_message(exc), "error")
    return redirect(back, i18n.gettext("Intent set. The next training learns from it."))
