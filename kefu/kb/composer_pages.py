"""The knowledge base in the ticket composer (search, insert a link or the text) and on a
solved ticket ("create article from this answer")."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from kefu.kb import queries
from kefu.kb.from_ticket import can_draft_from
from kefu.kb.links import article_url
from kefu.kb.markdown import markdown_text
from kefu.kit.actor import Actor
from kefu.permissions import can
from kefu.tickets.composer import ComposerTool
from kefu.tickets.panels import Panel, PanelTicket
from kefu.web.deps import DbSession, PageActor
from kefu.web.templating import render

router = APIRouter()
PICKER_LIMIT = 8


def tool_context(session: Session, actor: Actor, ticket: PanelTicket) -> dict[str, Any] | None:
    if not can(actor, "kb.read"):
        return None
    return {"ticket_id": ticket.id}


def panel_context(session: Session, actor: Actor, ticket: PanelTicket) -> dict[str, Any] | None:
    if not can_draft_from(actor, ticket.status):
        return None
    return {"ticket_id": ticket.id}


TOOL = ComposerTool(key="kb", template="kb/_composer_tool.html", context=tool_context)
PANEL = Panel(key="kb", template="kb/_ticket_panel.html", context=panel_context, position=90)


@router.get("/tickets/{ticket_id:int}/kb", response_class=HTMLResponse)
def search(
    request: Request, session: DbSession, actor: PageActor, ticket_id: int, kb_q: str = ""
) -> Response:
    """The composer's article list: published articles (public and internal) matching."""
    hits = []
    if kb_q.strip():
        hits = queries.search_for_agent(session, actor=actor, query=kb_q[:200], limit=PICKER_LIMIT)
    return render(request, "kb/_composer_results.html", {"hits": hits, "q": kb_q})


@router.get("/kb/articles/{article_id:int}/insert")
def insert(request: Request, session: DbSession, actor: PageActor, article_id: int) -> Response:
    """What the composer inserts: the article's title, its address for customers (the help
    center's page; an internal article's is the agents' page) and its text."""
    article = queries.read_article(session, actor=actor, article_id=article_id)
    base = request.app.state.runtime.settings.base_url.rstrip("/")
    return JSONResponse(
        {
            "id": article.id,
            "title": article.title,
            "url": base + article_url(article),
            "visibility": article.visibility,
            "text": markdown_text(article.body),
        }
    )
