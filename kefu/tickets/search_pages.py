"""The search page: one box, operators, results in the inbox rows."""

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kefu.errors import KefuError
from kefu.kit.i18n import N_
from kefu.tickets import inbox
from kefu.tickets.page_context import labels, rights
from kefu.tickets.search import search_tickets
from kefu.web.deps import DbSession, PageActor
from kefu.web.templating import render

router = APIRouter()


OPERATORS = [
    ("status:open", N_("status: new, open, pending, on_hold, solved, closed")),
    ("priority:urgent", N_("priority: low, normal, high, urgent")),
    ("tag:vip", N_("tag:… (several = all of them); -tag:spam leaves them out")),
    ("assignee:me", N_("assignee: me, none, or an agent's number")),
    ("is:unassigned", N_("is: unassigned or overdue")),
    ("from:x@y.com", N_("the requester's email address")),
    ("channel:chat", N_("channel: email, chat, phone, api, web")),
    ("created>2026-01-01", N_("created or updated before (<) or after (>) a date")),
]


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request, session: DbSession, actor: PageActor, q: str = "", cursor: str | None = None
) -> Response:
    """Results reuse the inbox rows; a bad operator is explained, not a 500."""
    context = {"search_query": q, "operators": OPERATORS, **labels(), **rights(actor)}
    error = None
    page = inbox.InboxPage(key="search", title=q, rows=[], next_cursor=None)
    if q.strip():
        try:
            found = search_tickets(session, actor=actor, query=q, cursor=cursor, limit=50)
            page = inbox.InboxPage(
                key="search", title=q, rows=found.items, next_cursor=found.next_cursor
            )
        except KefuError as exc:
            error = exc.message
    context.update(page=page, error=error, view_key="", more_url=f"/search?q={quote(q)}")
    is_htmx = request.headers.get("hx-request") == "true"
    template = "tickets/_rows.html" if is_htmx and cursor else "tickets/search.html"
    return render(request, template, context, status=422 if error else 200)
