"""The managers' approval queue: actions above an agent's limit, approved or denied."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kefu.accounts import service as accounts
from kefu.commerce.actions import approvals
from kefu.commerce.actions.record import kind_label
from kefu.commerce.connectors import ConnectorRejected, ConnectorUnavailable
from kefu.errors import KefuError, NotFound, refusal_message
from kefu.kit import i18n
from kefu.permissions import can, require
from kefu.web import forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import language_for, render

router = APIRouter()


@router.get("/approvals", response_class=HTMLResponse)
def approval_queue(request: Request, session: DbSession, actor: PageActor) -> Response:
    """Oldest first: the order, amount, requester, why it needs approval, the ticket."""
    i18n.current_language.set(language_for(request))
    rows = approvals.list_pending(session, actor=actor)
    names: dict[int, str] = {}
    for row in rows:
        agent_id = row.action.requested_by_id
        if agent_id is not None and agent_id not in names:
            try:
                names[agent_id] = accounts.get_agent(session, agent_id).name
            except NotFound:
                names[agent_id] = f"#{agent_id}"
    context: dict[str, Any] = {"rows": rows, "names": names, "kind_label": kind_label}
    return render(request, "commerce/approvals.html", context)


@router.get("/approvals/badge", response_class=HTMLResponse)
def approval_badge(request: Request, session: DbSession, actor: PageActor) -> Response:
    """The count beside the Approvals link (managers only)."""
    count = approvals.pending_count(session) if can(actor, "orders.approve") else 0
    return render(request, "commerce/_approval_badge.html", {"count": count})


@router.post("/approvals/{action_id}/approve", dependencies=[CsrfProtected])
def approve(request: Request, session: DbSession, actor: PageActor, action_id: int) -> Response:
    i18n.current_language.set(language_for(request))
    require(actor, "orders.approve")
    try:
        approvals.approve(
            session, actor=actor, action_id=action_id, now=request.app.state.runtime.clock()
        )
    except (ConnectorRejected, ConnectorUnavailable) as exc:
        # the request stays pending with the store's reason (kept by approve())
        message = i18n.gettext("The store refused: %(reason)s", reason=exc.message)
        return redirect("/approvals", message, "error")
    except KefuError as exc:
        return redirect("/approvals", refusal_message(exc), "error")
    return redirect("/approvals", i18n.gettext("Approved and done."))


@router.post("/approvals/{action_id}/deny", dependencies=[CsrfProtected])
def deny(
    request: Request, session: DbSession, actor: PageActor, action_id: int, form: forms.Form
) -> Response:
    i18n.current_language.set(language_for(request))
    try:
        with session.begin_nested():
            approvals.deny(
                session,
                actor=actor,
                action_id=action_id,
                reason=forms.text(form, "reason"),
                now=request.app.state.runtime.clock(),
            )
    except KefuError as exc:
        return redirect("/approvals", refusal_message(exc), "error")
    return redirect("/approvals", i18n.gettext("Denied. The agent sees your reason on the ticket."))
