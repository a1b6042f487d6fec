"""The agents' knowledge base at /kb: browse by category and state, search, read an article,
the articles due for review, and article images."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from sqlalchemy.orm import Session

from kefu.kb import articles, categories, queries, service
from kefu.kb.images import image_file
from kefu.kb.links import article_url
from kefu.kb.models import KbArticle
from kefu.kb.schemas import LANGUAGES
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.kit.i18n import N_
from kefu.kit.i18n import gettext as _
from kefu.permissions import can, require
from kefu.web.deps import DbSession, PageActor
from kefu.web.templating import language_for, render

router = APIRouter()

STATE_LABELS = {
    "draft": N_("Draft"),
    "review": N_("In review"),
    "published": N_("Published"),
    "archived": N_("Archived"),
}
VISIBILITY_LABELS = {"public": N_("Public"), "internal": N_("Internal")}
LANGUAGE_LABELS = {"en": N_("English"), "zh_Hans": N_("Chinese")}


def labels() -> dict[str, Any]:
    return {
        "state_labels": {k: _(v) for k, v in STATE_LABELS.items()},
        "visibility_labels": {k: _(v) for k, v in VISIBILITY_LABELS.items()},
        "language_labels": {k: _(v) for k, v in LANGUAGE_LABELS.items()},
    }


def _category_names(session: Session, language: str) -> dict[int, str]:
    return {c.id: categories.name_in(c.names, language) for c in categories.all_categories(session)}


@router.get("/kb", response_class=HTMLResponse)
def kb_home(
    request: Request,
    session: DbSession,
    actor: PageActor,
    q: str = "",
    state: str = "published",
    language: str = "",
    category: int | None = None,
) -> Response:
    require(actor, "kb.read")
    states = queries.visible_states(actor)
    state = state if state in states else "published"
    language = language if language in LANGUAGES else ""
    ui_language = language_for(request)
    context: dict[str, Any] = {
        "q": q[:200],
        "state": state,
        "states": states,
        "language": language,
        "category": category,
        "categories": categories.all_categories(session),
        "category_names": _category_names(session, ui_language),
        "languages": LANGUAGES,
        "can_write": can(actor, "kb.write") or can(actor, "kb.manage"),
        "can_manage": can(actor, "kb.manage"),
        **labels(),
    }
    if q.strip():
        context["hits"] = queries.search_for_agent(
            session, actor=actor, query=q[:200], language=language or None, states=[state]
        )
    else:
        context["articles"] = queries.list_articles(
            session,
            actor=actor,
            states=[state],
            language=language or None,
            category_id=category,
        )
    template = "kb/_results.html" if request.headers.get("hx-request") else "kb/home.html"
    return render(request, template, context)


def article_context(session: Session, actor: Actor, article: KbArticle) -> dict[str, Any]:
    """What the article page shows: the reader's view, the translations in every state the
    actor sees, and the state buttons the actor may use."""
    translations = [
        t
        for t in articles.translations_of(session, article)
        if t.state in queries.visible_states(actor)
    ]
    return {
        "article": article,
        "view": service.article_view(session, article, public=False),
        "translations": translations,
        "related": articles.related_of(session, article.id),
        "next_states": articles.allowed_states(actor, article),
        "can_edit": articles.can_edit(actor, article),
        "public_url": article_url(article),
        "missing_languages": [
            lang
            for lang in LANGUAGES
            if lang != article.language and lang not in {t.language for t in translations}
        ],
        **labels(),
    }


@router.get("/kb/articles/{article_id:int}", response_class=HTMLResponse)
def article_page(
    request: Request, session: DbSession, actor: PageActor, article_id: int
) -> Response:
    article = queries.read_article(session, actor=actor, article_id=article_id)
    return render(request, "kb/article.html", article_context(session, actor, article))


@router.get("/kb/review", response_class=HTMLResponse)
def review_page(
    request: Request, session: DbSession, actor: PageActor, mine: bool = False
) -> Response:
    require(actor, "kb.read")
    due = articles.due_for_review(
        session, today=utcnow().date(), owner_id=actor.agent_id if mine else None
    )
    return render(request, "kb/review.html", {"articles": due, "mine": mine, **labels()})


@router.get("/kb/images/{sha256}", include_in_schema=False)
def article_image(request: Request, session: DbSession, sha256: str) -> Response:
    """An article image, for anyone (public articles show them; the hash is the address)."""
    image, path = image_file(session, request.app.state.runtime.files, sha256=sha256)
    return FileResponse(
        path,
        media_type=image.content_type,
        headers={
            "Cache-Control": "public, max-age=31536000, immutable",
            "X-Content-Type-Options": "nosniff",
        },
    )
