"""The public help center: home, categories, articles, search, sitemap, logo and votes.
No sign-in; every page answers 404 for what a visitor may not see."""

from __future__ import annotations

from typing import Annotated
from xml.sax.saxutils import escape

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from kefu.errors import NotFound
from kefu.kb.helpcenter import contact, public, sites, votes
from kefu.kb.helpcenter.activity import record_search
from kefu.kb.helpcenter.render import base_path, render_public
from kefu.kb.helpcenter.routing import (
    PublicRoute,
    preferred_language,
    set_visitor,
    site_for,
    visitor_of,
)
from kefu.kb.helpcenter.throttle import limit
from kefu.web.deps import CsrfProtected, DbSession

router = APIRouter(route_class=PublicRoute)
SITE = "/help/{slug}/{language}"
MAX_QUERY = 200


@router.get("/help", include_in_schema=False)
@router.get("/help/", include_in_schema=False)
def default_center(request: Request, session: DbSession) -> Response:
    site = sites.default_site(session)
    request.state.helpcenter_site = site
    target = f"{base_path(request, site)}/{preferred_language(request, site)}/"
    return RedirectResponse(target, status_code=302)


@router.get("/help/{slug}", include_in_schema=False)
@router.get("/help/{slug}/", include_in_schema=False)
def center(request: Request, session: DbSession, slug: str) -> Response:
    site = site_for(request, session, slug, None)
    target = f"{base_path(request, site)}/{preferred_language(request, site)}/"
    return RedirectResponse(target, status_code=302)


@router.get("/help/{slug}/logo", include_in_schema=False)
def logo(session: DbSession, request: Request, slug: str) -> Response:
    sha256, content_type = sites.logo_of(session, slug=slug)
    files = request.app.state.runtime.files
    if not files.exists(sha256):
        raise NotFound("no logo")
    return FileResponse(
        files.path(sha256),
        media_type=content_type,
        headers={"Cache-Control": "public, max-age=86400", "X-Content-Type-Options": "nosniff"},
    )


@router.get("/help/{slug}/sitemap.xml", include_in_schema=False)
def sitemap(request: Request, session: DbSession, slug: str) -> Response:
    site = site_for(request, session, slug, None)
    origin = str(request.base_url).rstrip("/")
    base = origin + base_path(request, site)
    urls = [(f"{base}/{code}/", None) for code in site.languages]
    urls += [
        (f"{base}/{code}/articles/{a.slug}", a.updated_at)
        for code, a in public.sitemap(session, site=site)
    ]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>']
    lines.append('<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
    for url, updated_at in urls:
        lastmod = f"<lastmod>{updated_at.date().isoformat()}</lastmod>" if updated_at else ""
        lines.append(f"<url><loc>{escape(url)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return Response("\n".join(lines), media_type="application/xml")


@router.get(SITE, include_in_schema=False)
def no_slash(request: Request, session: DbSession, slug: str, language: str) -> Response:
    site = site_for(request, session, slug, language)
    return RedirectResponse(f"{base_path(request, site)}/{language}/", status_code=301)


@router.get(SITE + "/", response_class=HTMLResponse)
def home(request: Request, session: DbSession, slug: str, language: str) -> Response:
    site = site_for(request, session, slug, language)
    found = public.home(session, site=site, language=language)
    context = {"categories": found.categories, "popular": found.popular, "typing_key": _key()}
    return render_public(
        request, "helpcenter/home.html", site=site, language=language, context=context
    )


@router.get(SITE + "/categories/{category_id}", response_class=HTMLResponse)
def category(
    request: Request, session: DbSession, slug: str, language: str, category_id: str
) -> Response:
    site = site_for(request, session, slug, language)
    if not category_id.isdigit() or len(category_id) > 18:
        raise NotFound("no such category")
    found, articles = public.category(
        session, site=site, language=language, category_id=int(category_id)
    )
    context = {"category": found, "articles": articles, "typing_key": _key()}
    return render_public(
        request, "helpcenter/category.html", site=site, language=language, context=context
    )


@router.get(SITE + "/articles/{article_slug}", response_class=HTMLResponse)
def article(
    request: Request,
    session: DbSession,
    slug: str,
    language: str,
    article_slug: str,
    visit: str | None = None,
) -> Response:
    site = site_for(request, session, slug, language)
    found = public.article(session, site=site, language=language, slug=article_slug)
    public.record_view(session, site=site, language=language, article_id=found.id)
    if visit:
        contact.suggestion_opened(session, store_id=site.store_id, token=visit, article_id=found.id)
    visitor, _new = visitor_of(request)
    base = base_path(request, site)
    translations = public.translations(session, site=site, found=found)
    context = {
        "article": found,
        "related": public.related(session, site=site, language=language, found=found),
        "translations": translations,
        "vote": votes.vote_of(session, article_id=found.id, visitor=visitor),
        "typing_key": _key(),
    }
    alternates = {code: f"{base}/{code}/articles/{s}" for code, s in translations.items()}
    return render_public(
        request, "helpcenter/article.html", site=site, language=language, context=context,
        alternates=alternates,
    )  # fmt: skip


@router.post(SITE + "/articles/{article_slug}/vote", dependencies=[CsrfProtected])
def vote(
    request: Request,
    session: DbSession,
    slug: str,
    language: str,
    article_slug: str,
    helpful: Annotated[str, Form()],
) -> Response:
    site = site_for(request, session, slug, language)
    limit(request, "vote")
    found = public.article(session, site=site, language=language, slug=article_slug)
    visitor, is_new_visitor = visitor_of(request)
    row, _created = votes.vote(
        session, store_id=site.store_id, article_id=found.id, visitor=visitor,
        is_helpful=helpful == "yes",
    )  # fmt: skip
    response = _vote_answer(request, site, language, found, row)
    if is_new_visitor:
        set_visitor(request, response, visitor)
    return response


@router.post(SITE + "/articles/{article_slug}/comment", dependencies=[CsrfProtected])
def comment(
    request: Request,
    session: DbSession,
    slug: str,
    language: str,
    article_slug: str,
    text: Annotated[str, Form(max_length=votes.MAX_COMMENT)] = "",
) -> Response:
    site = site_for(request, session, slug, language)
    limit(request, "vote")
    found = public.article(session, site=site, language=language, slug=article_slug)
    visitor, _new = visitor_of(request)
    row = votes.add_comment(
        session, article_id=found.id, article_title=found.title, visitor=visitor, comment=text
    )
    return _vote_answer(request, site, language, found, row)


def _vote_answer(request: Request, site, language: str, found, row) -> Response:
    if request.headers.get("hx-request") == "true":
        return render_public(
            request, "helpcenter/_vote.html", site=site, language=language,
            context={"article": found, "vote": row},
        )  # fmt: skip
    target = f"{base_path(request, site)}/{language}/articles/{found.slug}#feedback"
    return RedirectResponse(target, status_code=303)


@router.get(SITE + "/search", response_class=HTMLResponse)
def search(
    request: Request,
    session: DbSession,
    slug: str,
    language: str,
    q: str = "",
    k: str | None = None,
) -> Response:
    site = site_for(request, session, slug, language)
    limit(request, "search")
    query = q.strip()[:MAX_QUERY]
    hits = public.search(session, site=site, language=language, query=query, limit=20)
    record_search(
        session, store_id=site.store_id, language=language, query=query,
        results_count=len(hits), typing_key=k,
    )  # fmt: skip
    is_fragment = request.headers.get("hx-request") == "true"
    template = "helpcenter/_search_results.html" if is_fragment else "helpcenter/search.html"
    context = {"query": query, "hits": hits, "typing_key": k or _key()}
    return render_public(request, template, site=site, language=language, context=context)


def _key() -> str:
    return contact.new_visit_token()
