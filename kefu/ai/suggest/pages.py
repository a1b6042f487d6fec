"""The suggestions panel in the ticket composer (an htmx fragment loaded after the page), the
insert call its keys and buttons make, and the report (/reports/suggestions)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from kefu.ai import switches
from kefu.ai.suggest import report, service
from kefu.errors import InvalidInput
from kefu.kit import i18n
from kefu.kit.actor import Actor
from kefu.kit.i18n import N_, gettext
from kefu.permissions import can, require
from kefu.tickets.composer import ComposerTool
from kefu.tickets.panels import PanelTicket
from kefu.tickets.queries import ticket_rows
from kefu.web.deps import DbSession, PageActor, api_csrf
from kefu.web.templating import language_for, render

router = APIRouter()
PERIODS = (7, 30, 90)


def tool_context(session: Session, actor: Actor, ticket: PanelTicket) -> dict[str, Any] | None:
    """The panel's place in the composer: only when suggestions are on, the agent may reply
    and the ticket is still being worked (switched off: no panel and no work at all)."""
    if ticket.status not in service.SUGGESTING_STATUSES or not can(actor, "tickets.reply"):
        return None
    if not switches.is_on(session, "suggestions"):
        return None
    return {"ticket_id": ticket.id}


TOOL = ComposerTool(
    key="suggestions",
    template="suggest/_tool.html",
    context=tool_context,
    on_send=service.on_send,
)


@router.get("/tickets/{ticket_id:int}/suggestions", response_class=HTMLResponse)
def suggestions(request: Request, session: DbSession, actor: PageActor, ticket_id: int) -> Response:
    """The panel's content: up to three suggestions, each recorded as shown."""
    i18n.current_language.set(language_for(request))
    runtime = request.app.state.runtime
    found = service.suggest(
        session,
        actor=actor,
        ticket_id=ticket_id,
        now=runtime.clock(),
        base_url=runtime.settings.base_url.rstrip("/"),
    )
    names = {key: gettext(label) for key, label in SOURCE_BADGES.items()}
    return render(
        request,
        "suggest/_panel.html",
        {"suggestions": found, "names": names, "ticket_id": ticket_id},
    )


SOURCE_BADGES = {"reply": N_("Past answer"), "macro": N_("Macro"), "article": N_("Article")}


@router.post(
    "/tickets/{ticket_id:int}/suggestions/{suggestion_id:int}/inserted",
    dependencies=[Depends(api_csrf)],
)
def inserted(
    request: Request, session: DbSession, actor: PageActor, ticket_id: int, suggestion_id: int
) -> dict[str, object]:
    """The agent put a suggestion into the composer (a key or a click)."""
    i18n.current_language.set(language_for(request))
    row = service.mark_inserted(
        session,
        actor=actor,
        ticket_id=ticket_id,
        suggestion_id=suggestion_id,
        now=request.app.state.runtime.clock(),
    )
    return {"id": row.id, "source": row.source, "inserted_at": row.inserted_at.isoformat()}


def _period(request: Request, days: int) -> tuple[Any, Any]:
    if days not in PERIODS:
        raise InvalidInput(gettext(N_("Choose a period of 7, 30 or 90 days.")))
    now = request.app.state.runtime.clock()
    return now - timedelta(days=days), now


@router.get("/reports/suggestions", response_class=HTMLResponse)
def suggestion_report(
    request: Request, session: DbSession, actor: PageActor, days: int = 30
) -> Response:
    require(actor, "reports.read")
    i18n.current_language.set(language_for(request))
    since, until = _period(request, days)
    found = report.suggestion_report(session, since=since, until=until)
    context = {"report": found, "days": days, "periods": PERIODS, "sources": report.SOURCES}
    return render(request, "suggest/report.html", context)


@router.get("/reports/suggestions/tickets", response_class=HTMLResponse)
def suggestion_tickets(
    request: Request,
    session: DbSession,
    actor: PageActor,
    source: str,
    stage: str,
    days: int = 30,
) -> Response:
    """The tickets behind one figure of the report."""
    require(actor, "reports.read")
    i18n.current_language.set(language_for(request))
    since, until = _period(request, days)
    if source not in report.SOURCES or stage not in report.STAGES:
        raise InvalidInput(gettext(N_("Choose a source and a stage from the report.")))
    counted = report.tickets_for(session, since=since, until=until, source=source, stage=stage)
    rows = {row.ticket.id: row for row in ticket_rows(session, [t for t, _ in counted])}
    listed = [(rows[t], n) for t, n in counted if t in rows]
    context = {
        "listed": listed,
        "days": days,
        "source": source,
        "stage": stage,
        "source_name": report.SOURCES[source],
        "stages": STAGE_NAMES,
    }
    return render(request, "suggest/report_tickets.html", context)


STAGE_NAMES = {"shown": N_("Shown"), "inserted": N_("Inserted"), "sent": N_("Sent")}
