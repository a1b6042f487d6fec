"""What a help-center page shows, read through the kb's services: only published public
articles of the brand (or of every brand) in the page's language. Anything else is NotFound,
so the pages answer 404 for drafts, articles in review, archived or internal articles and
other brands' articles alike."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from kefu.errors import NotFound
from kefu.kb import service as kb
from kefu.kb.helpcenter import activity
from kefu.kb.helpcenter.schemas import LANGUAGES
from kefu.kb.helpcenter.sites import SiteView

POPULAR = 6
MAX_RELATED = 6


def kb_language(code: str) -> str:
    return LANGUAGES[code]


def url_language(kb_code: str) -> str | None:
    """The URL code of a kb language ("zh_Hans" → "zh-CN"), None when the site has none."""
    return next((url for url, code in LANGUAGES.items() if code == kb_code), None)


def _is_public(article: Any, site: SiteView, language: str) -> bool:
    return (
        article.state == "published"
        and article.visibility == "public"
        and article.store_id in (None, site.store_id)
        and article.language == kb_language(language)
    )


@dataclass(frozen=True, slots=True)
class Home:
    categories: list[Any]
    popular: list[Any]


def home(session: Session, *, site: SiteView, language: str) -> Home:
    """Categories with their sections, and the most read published articles over the last 90
    days, among all of them (newest first while nothing was read)."""
    code = kb_language(language)
    categories = kb.public_categories(session, store_id=site.store_id, language=code)
    articles = kb.public_index(session, store_id=site.store_id, language=code)
    ranks = activity.most_viewed(session, store_id=site.store_id, language=language)
    articles.sort(key=lambda a: (-ranks.get(a.id, 0), -a.updated_at.timestamp()))
    return Home(categories=categories, popular=articles[:POPULAR])


def category(session: Session, *, site: SiteView, language: str, category_id: int) -> Any:
    """(the category, its articles) — the category found among the site's public ones."""
    code = kb_language(language)
    for found in kb.public_categories(session, store_id=site.store_id, language=code):
        for candidate in (found, *found.sections):
            if candidate.id == category_id:
                articles = [
                    a
                    for a in kb.public_articles(
                        session, store_id=site.store_id, language=code, category_id=category_id
                    )
                    if _is_public(a, site, language)
                ]
                return candidate, articles
    raise NotFound("no such category")


def article(session: Session, *, site: SiteView, language: str, slug: str) -> Any:
    """The published public article at this slug; its related articles trimmed to those a
    visitor may open as well."""
    found = kb.public_article(
        session, store_id=site.store_id, language=kb_language(language), slug=slug
    )
    if not _is_public(found, site, language):
        raise NotFound("no such article")
    return found


def related(session: Session, *, site: SiteView, language: str, found: Any) -> list[Any]:
    shown = []
    for link in found.related[:MAX_RELATED]:
        try:
            article(session, site=site, language=language, slug=link.slug)
        except NotFound:
            continue
        shown.append(link)
    return shown


def translations(session: Session, *, site: SiteView, found: Any) -> dict[str, str]:
    """URL language → slug of the article's translations this site publishes."""
    links = {}
    for kb_code, slug in found.translations.items():
        code = url_language(kb_code)
        if code is None or code not in site.languages:
            continue
        try:
            article(session, site=site, language=code, slug=slug)
        except NotFound:
            continue
        links[code] = slug
    return links


def search(
    session: Session, *, site: SiteView, language: str, query: str, limit: int = 10
) -> list[Any]:
    if not query.strip():
        return []
    hits = kb.search_articles(
        session,
        query=query,
        language=kb_language(language),
        store_id=site.store_id,
        public_only=True,
        limit=limit,
    )
    return [h for h in hits if _is_public(h, site, language)]


def record_view(session: Session, *, site: SiteView, language: str, article_id: int) -> None:
    kb.record_article_view(session, article_id=article_id)
    activity.record_view(session, store_id=site.store_id, language=language, article_id=article_id)


def sitemap(session: Session, *, site: SiteView) -> list[tuple[str, Any]]:
    """(URL language, article) of every published public article, in every site language
    (kb's light index: no limit, no bodies)."""
    return [
        (language, found)
        for language in site.languages
        for found in kb.public_index(
            session, store_id=site.store_id, language=kb_language(language)
        )
    ]


def article_titles(session: Session, *, store_id: int) -> dict[int, str]:
    """Id → title of the brand's published public articles in every language (reports)."""
    names: dict[int, str] = {}
    for code in LANGUAGES.values():
        for found in kb.public_index(session, store_id=store_id, language=code):
            names[found.id] = found.title
    return names
