"""The inbox: views in a sidebar with live counts, their rows page by page, bulk actions."""

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.errors import KefuError
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.kit.i18n import ngettext
from kefu.tickets import bulk, inbox
from kefu.tickets.page_context import labels, message_error, rights
from kefu.tickets.schemas import TicketUpdate
from kefu.web import forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import render

router = APIRouter()

DEFAULT_VIEW = "my_open"


def inbox_context(
    session: Session, actor: Actor, key: str, cursor: str | None = None
) -> dict[str, Any]:
    page = inbox.view_page(session, actor=actor, key=key, cursor=cursor)
    return {
        "page": page,
        "view_key": key,
        "views": inbox.sidebar(session, actor=actor),
        "bulk_agents": accounts.list_agents(session, actor=actor, include_inactive=False),
        **labels(),
        **rights(actor),
    }


def inbox_page(request: Request, session: Session, actor: Actor, key: str) -> Response:
    """A view as a full page (also the start page "/")."""
    return render(request, "tickets/inbox.html", inbox_context(session, actor, key))


@router.get("/views/go")
def go_to_view(key: str = DEFAULT_VIEW) -> Response:
    """The phone's view picker without JavaScript."""
    return redirect(f"/views/{quote(key, safe='')}")


@router.get("/views/{key}", response_class=HTMLResponse)
def view(request: Request, session: DbSession, actor: PageActor, key: str) -> Response:
    return inbox_page(request, session, actor, key)


@router.get("/views/{key}/rows", response_class=HTMLResponse)
def more_rows(
    request: Request, session: DbSession, actor: PageActor, key: str, cursor: str | None = None
) -> Response:
    """ "Load more": the next rows and a new button, appended in place by HTMX (a plain
    link opens the next page as a whole page)."""
    context = inbox_context(session, actor, key, cursor)
    is_htmx = request.headers.get("hx-request") == "true"
    return render(request, "tickets/_rows.html" if is_htmx else "tickets/inbox.html", context)


@router.get("/inbox/sidebar", response_class=HTMLResponse)
def sidebar(request: Request, session: DbSession, actor: PageActor, view: str = "") -> Response:
    """The views with fresh counts (polled, and refreshed on live ticket events)."""
    context = {"views": inbox.sidebar(session, actor=actor), "view_key": view}
    return render(request, "tickets/_sidebar.html", context)


def _bulk_update(form: forms.FormData, action: str, actor: Actor) -> TicketUpdate:
    if action == "assign":
        raw = forms.text(form, "assignee_id")
        assignee = actor.agent_id if raw == "me" else (int(raw) if raw.isdigit() else None)
        return TicketUpdate(assignee_id=assignee)
    if action == "status":
        return TicketUpdate(status=forms.text(form, "status"))  # type: ignore[arg-type]
    if action == "priority":
        return TicketUpdate(priority=forms.text(form, "priority"))  # type: ignore[arg-type]
    if action == "tag":
        return TicketUpdate(add_tags=forms.csv_list(forms.text(form, "tags")))
    raise KefuError(_("Choose what to do with the selected tickets."))


@router.post("/tickets/bulk", dependencies=[CsrfProtected])
def bulk_action(session: DbSession, actor: PageActor, form: forms.Form) -> Response:
    """One action on the selected tickets, all or nothing: a refusal on one leaves all as
    they were and says which ticket and why."""
    back = forms.text(form, "back") or "/"
    back = back if back.startswith("/") and not back.startswith("//") else "/"
    ids = forms.ints(form, "ids")
    action = forms.text(form, "action")
    if not ids:
        return redirect(back, _("Select at least one ticket first."), "error")
    try:
        with session.begin_nested():
            if action == "delete":
                bulk.delete_tickets(session, actor=actor, ticket_ids=ids)
            elif action == "restore":
                bulk.restore_tickets(session, actor=actor, ticket_ids=ids)
            elif action == "merge":
                target = forms.optional_int(form, "target") or min(ids)
                bulk.merge_selected(session, actor=actor, target_id=target, ticket_ids=ids)
            else:
                data = _bulk_update(form, action, actor)
                bulk.update_tickets(session, actor=actor, ticket_ids=ids, data=data)
    except (ValidationError, KefuError) as exc:
        return redirect(back, message_error(exc), "error")
    done = ngettext("%(num)s ticket updated.", "%(num)s tickets updated.", len(ids))
    if action == "merge":
        done = _("Tickets merged into #%(number)s.", number=target)
    elif action == "delete":
        done = ngettext("%(num)s ticket deleted.", "%(num)s tickets deleted.", len(ids))
    return redirect(back, done)
