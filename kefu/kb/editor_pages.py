"""The article editor: new (blank, a translation of another article, or from a solved
ticket's answer), edit, the Markdown preview, state buttons, translations and images."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from kefu.accounts import service as accounts
from kefu.errors import KefuError, PermissionDenied, refusal_message
from kefu.kb import articles, categories, queries
from kefu.kb.from_ticket import answer_draft
from kefu.kb.images import image_markdown, image_url, upload_image
from kefu.kb.markdown import render_markdown
from kefu.kb.models import KbArticle
from kefu.kb.pages import labels
from kefu.kb.schemas import LANGUAGES, ArticleCreate, ArticleUpdate, normalize_tags
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.permissions import can
from kefu.web import forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.templating import language_for, render

router = APIRouter()


def _require_writer(actor: Actor) -> None:
    if not (can(actor, "kb.write") or can(actor, "kb.manage")):
        raise PermissionDenied("your role does not allow this (kb.write)")


def _form_of(article: KbArticle) -> dict[str, Any]:
    return {
        "title": article.title,
        "body": article.body,
        "language": article.language,
        "category_id": article.category_id or "",
        "visibility": article.visibility,
        "summary": article.summary,
        "slug": article.slug,
        "tags": ", ".join(article.tags),
        "review_by": article.review_by.isoformat() if article.review_by else "",
        "owner_id": article.owner_id or "",
    }


def _values(form: FormData) -> dict[str, Any]:
    review_by = forms.text(form, "review_by")
    return {
        "title": forms.text(form, "title"),
        "body": (form.get("body") or "") if isinstance(form.get("body"), str) else "",
        "category_id": forms.optional_int(form, "category_id"),
        "visibility": forms.text(form, "visibility") or "public",
        "summary": forms.text(form, "summary"),
        "tags": normalize_tags(forms.csv_list(forms.text(form, "tags"))),
        "review_by": date.fromisoformat(review_by) if _is_date(review_by) else None,
        "owner_id": forms.optional_int(form, "owner_id"),
    }


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _editor(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    article: KbArticle | None,
    form: dict[str, Any],
    error: str | None = None,
) -> Response:
    context = {
        "article": article,
        "form": form,
        "error": error,
        "languages": LANGUAGES,
        "categories": categories.all_categories(session),
        "category_names": {
            c.id: categories.name_in(c.names, language_for(request))
            for c in categories.all_categories(session)
        },
        "preview_html": render_markdown(form.get("body") or ""),
        "agents": accounts.list_agents(session, actor=actor, include_inactive=False),
        **labels(),
    }
    return render(request, "kb/editor.html", context, status=422 if error else 200)


@router.get("/kb/articles/new", response_class=HTMLResponse)
def new_article_page(
    request: Request,
    session: DbSession,
    actor: PageActor,
    from_ticket: int | None = None,
    translation_of: int | None = None,
    language: str = "en",
) -> Response:
    _require_writer(actor)
    form: dict[str, Any] = {"language": language if language in LANGUAGES else "en"}
    form |= {"visibility": "public", "owner_id": actor.agent_id or ""}
    if from_ticket is not None:
        draft = answer_draft(session, actor=actor, ticket_id=from_ticket)
        form |= {"title": draft.title, "body": draft.body, "from_ticket": draft.ticket_id}
    if translation_of is not None:
        original = queries.read_article(session, actor=actor, article_id=translation_of)
        form |= {
            "translation_of": original.id,
            "category_id": original.category_id or "",
            "visibility": original.visibility,
            "body": original.body,
            "tags": ", ".join(original.tags),
        }
    return _editor(request, session, actor, article=None, form=form)


@router.post("/kb/articles", dependencies=[CsrfProtected])
def create_article(
    request: Request, session: DbSession, actor: PageActor, form: forms.Form
) -> Response:
    _require_writer(actor)
    shown = dict(form)
    try:
        values = _values(form)
        data = ArticleCreate(
            **values,
            language=forms.text(form, "language") or "en",
            slug=forms.text(form, "slug"),
        )
        with session.begin_nested():
            article = articles.create_article(session, actor=actor, data=data)
            original = forms.optional_int(form, "translation_of")
            if original is not None:
                articles.link_translation(
                    session, actor=actor, article_id=original, translation_id=article.id
                )
    except (ValidationError, KefuError) as exc:
        return _editor(
            request, session, actor, article=None, form=shown, error=refusal_message(exc)
        )
    return redirect(f"/kb/articles/{article.id}", _("Article saved as a draft."))


@router.get("/kb/articles/{article_id:int}/edit", response_class=HTMLResponse)
def edit_article_page(
    request: Request, session: DbSession, actor: PageActor, article_id: int
) -> Response:
    article = queries.read_article(session, actor=actor, article_id=article_id)
    if not articles.can_edit(actor, article):
        raise PermissionDenied("your role does not allow editing this article (kb.manage)")
    return _editor(request, session, actor, article=article, form=_form_of(article))


@router.post("/kb/articles/{article_id:int}", dependencies=[CsrfProtected])
def update_article(
    request: Request, session: DbSession, actor: PageActor, article_id: int, form: forms.Form
) -> Response:
    article = queries.read_article(session, actor=actor, article_id=article_id)
    try:
        values = _values(form)
        data = ArticleUpdate(
            **values,
            slug=forms.text(form, "slug") or None,
            clear_category=values["category_id"] is None,
            clear_review_by=values["review_by"] is None,
            clear_owner=values["owner_id"] is None,
            note=forms.text(form, "note")[:200],
        )
        with session.begin_nested():
            articles.update_article(session, actor=actor, article_id=article_id, data=data)
    except (ValidationError, KefuError) as exc:
        session.expire(article)
        return _editor(
            request, session, article=article, form=dict(form), error=refusal_message(exc)
        )
    return redirect(f"/kb/articles/{article_id}", _("Article saved."))


@router.post("/kb/preview", response_class=HTMLResponse, dependencies=[CsrfProtected])
def preview(request: Request, actor: PageActor, form: forms.Form) -> Response:
    """The editor's preview: the Markdown as readers will see it (sanitized)."""
    _require_writer(actor)
    body = form.get("body")
    html = render_markdown(body if isinstance(body, str) else "")
    return render(request, "kb/_preview.html", {"preview_html": html})


@router.post("/kb/articles/{article_id:int}/state", dependencies=[CsrfProtected])
def change_state(
    session: DbSession, actor: PageActor, article_id: int, form: forms.Form
) -> Response:
    queries.read_article(session, actor=actor, article_id=article_id)
    state = forms.text(form, "state")
    articles.change_state(session, actor=actor, article_id=article_id, state=state)
    return redirect(f"/kb/articles/{article_id}", _("The article's state changed."))


@router.post("/kb/articles/{article_id:int}/translation", dependencies=[CsrfProtected])
def link_translation(
    session: DbSession, actor: PageActor, article_id: int, form: forms.Form
) -> Response:
    queries.read_article(session, actor=actor, article_id=article_id)
    other = forms.optional_int(form, "translation_id")
    if forms.text(form, "remove"):
        articles.unlink_translation(session, actor=actor, article_id=article_id)
        return redirect(f"/kb/articles/{article_id}", _("Translation link removed."))
    if other is None:
        return redirect(f"/kb/articles/{article_id}", _("Give the translation's number."), "error")
    queries.read_article(session, actor=actor, article_id=other)
    articles.link_translation(session, actor=actor, article_id=article_id, translation_id=other)
    return redirect(f"/kb/articles/{article_id}", _("Translations linked."))


@router.post("/kb/articles/{article_id:int}/related", dependencies=[CsrfProtected])
def set_related(
    session: DbSession, actor: PageActor, article_id: int, form: forms.Form
) -> Response:
    queries.read_article(session, actor=actor, article_id=article_id)
    ids = [int(p) for p in forms.text(form, "related").replace(",", " ").split() if p.isdigit()]
    articles.set_related(session, actor=actor, article_id=article_id, related_ids=ids)
    return redirect(f"/kb/articles/{article_id}", _("Related articles saved."))


@router.post("/kb/images", dependencies=[CsrfProtected])
def upload(request: Request, session: DbSession, actor: PageActor, form: forms.Form) -> Response:
    """Store an image and answer the Markdown that shows it (the editor inserts it)."""
    uploaded = forms.files(form, "image")
    if not uploaded:
        return JSONResponse({"error": _("Choose an image.")}, status_code=422)
    try:
        image = upload_image(
            session,
            request.app.state.runtime.files,
            actor=actor,
            filename=uploaded[0].filename or "image",
            data=uploaded[0].file.read(5 * 1024 * 1024 + 1),
        )
    except KefuError as exc:
        return JSONResponse({"error": exc.message}, status_code=exc.status)
    return JSONResponse({"url": image_url(image), "markdown": image_markdown(image)})
