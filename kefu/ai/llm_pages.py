"""The language-model buttons on the ticket page (a generated summary, a reply draft: HTMX
fragments) and the admin's "Test connection" on /admin/ai."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from kefu.ai import llm, llm_text, switches
from kefu.config import secret_key
from kefu.kit import i18n
from kefu.kit.bounds import INT8_MAX
from kefu.kit.secretbox import SecretUnreadable
from kefu.permissions import require
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import language_for, render

router = APIRouter()
TicketId = Annotated[int, Path(ge=1, le=INT8_MAX)]


def _key(request: Request) -> str:
    return secret_key(request.app.state.runtime.settings)


@router.post(
    "/tickets/{ticket_id}/ai/generated-summary",
    response_class=HTMLResponse,
    dependencies=[CsrfProtected],
)
def generated_summary(
    request: Request, session: DbSession, actor: PageActor, ticket_id: TicketId
) -> Response:
    i18n.current_language.set(language_for(request))
    found = llm_text.generated_summary(session, actor=actor, ticket_id=ticket_id, key=_key(request))
    return render(request, "ai/_generated.html", {"g": found, "kind": "summary"})


@router.post(
    "/tickets/{ticket_id}/ai/draft", response_class=HTMLResponse, dependencies=[CsrfProtected]
)
def draft(request: Request, session: DbSession, actor: PageActor, ticket_id: TicketId) -> Response:
    i18n.current_language.set(language_for(request))
    found = llm_text.draft_reply(session, actor=actor, ticket_id=ticket_id, key=_key(request))
    return render(request, "ai/_generated.html", {"g": found, "kind": "draft"})


@router.post("/admin/ai/endpoint/test", dependencies=[CsrfProtected])
def test_connection(request: Request, session: DbSession, actor: PageActor) -> Response:
    """Send a one-line chat to the saved endpoint and say what came back or what failed."""
    i18n.current_language.set(language_for(request))
    require(actor, switches.MANAGE)
    back = "/admin/ai"
    try:
        endpoint = llm.saved(session, key=_key(request))
    except SecretUnreadable:
        return redirect(back, i18n.gettext(
            "The saved API key cannot be decrypted with this instance key: enter it again."),
            "error")  # fmt: skip
    if endpoint is None:
        return redirect(back, i18n.gettext("Save the endpoint's address first."), "error")
    try:
        answer = llm.check(endpoint)
    except llm.EndpointFailed as exc:
        return redirect(back, i18n.gettext("Connection test failed: %(reason)s") % {
            "reason": exc}, "error")  # fmt: skip
    return redirect(back, i18n.gettext("The endpoint answered: “%(answer)s”.") % {
        "answer": answer[:80]})  # fmt: skip
