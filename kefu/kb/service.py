"""The kb's read side for readers and other domains: the help center's categories and
articles, search, and view counts. Everything returned is a plain dataclass."""

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from kefu.errors import NotFound
from kefu.kb.articles import related_of, translations_of
from kefu.kb.categories import category_refs, public_categories
from kefu.kb.models import KbArticle
from kefu.kb.search import search_articles
from kefu.kb.views import ArticleEntry, ArticleLink, ArticleView, CategoryView
from kefu.kit.clock import as_utc

__all__ = [
    "ArticleView",
    "CategoryView",
    "article_view",
    "public_article",
    "public_articles",
    "public_categories",
    "record_article_view",
    "search_articles",
]


def _is_public(article: KbArticle) -> bool:
    return article.state == "published" and article.visibility == "public"


def _in_brand(article: KbArticle, store_id: int | None) -> bool:
    return store_id is None or article.store_id in (None, store_id)


def article_view(session: Session, article: KbArticle, *, public: bool) -> ArticleView:
    """The reader's view of an article; a public view links only public published
    translations and related articles."""
    shown = _is_public if public else (lambda a: a.state == "published")
    translations = {
        other.language: other.slug
        for other in translations_of(session, article)
        if shown(other) and _in_brand(other, article.store_id)
    }
    related = [
        ArticleLink(other.id, other.slug, other.title, other.language)
        for other in related_of(session, article.id)
        if shown(other) and _in_brand(other, article.store_id)
    ]
    refs = category_refs(session, [article.category_id], article.language)
    return ArticleView(
        id=article.id,
        slug=article.slug,
        title=article.title,
        summary=article.summary,
        body_html=article.body_html,
        category=refs.get(article.category_id) if article.category_id else None,
        language=article.language,
        translations=translations,
        updated_at=article.updated_at,
        related=related,
        store_id=article.store_id,
        state=article.state,
        visibility=article.visibility,
        tags=list(article.tags),
        published_at=article.published_at,
        view_count=article.view_count,
    )


def _public_statement(store_id: int | None, language: str):
    statement = select(KbArticle).where(
        KbArticle.state == "published",
        KbArticle.visibility == "public",
        KbArticle.language == language,
    )
    if store_id is not None:
        statement = statement.where(
            or_(KbArticle.store_id == store_id, KbArticle.store_id.is_(None))
        )
    return statement


def public_articles(
    session: Session,
    *,
    store_id: int | None,
    language: str,
    category_id: int | None = None,
    limit: int = 500,
) -> list[ArticleView]:
    """Published public articles of a brand in one language (of one category or section),
    in their order then newest first."""
    statement = _public_statement(store_id, language)
    if category_id is not None:
        statement = statement.where(KbArticle.category_id == category_id)
    statement = statement.order_by(
        KbArticle.position, KbArticle.published_at.desc(), KbArticle.id
    ).limit(limit)
    return [article_view(session, a, public=True) for a in session.scalars(statement)]


def public_index(session: Session, *, store_id: int | None, language: str) -> list[ArticleEntry]:
    """Every published public article of a brand in one language, in one light query (no
    bodies, no limit): what a sitemap lists."""
    columns = (
        KbArticle.id,
        KbArticle.slug,
        KbArticle.title,
        KbArticle.language,
        KbArticle.store_id,
        KbArticle.updated_at,
    )
    statement = _public_statement(store_id, language).with_only_columns(*columns)
    rows = session.execute(statement.order_by(KbArticle.id))
    return [
        ArticleEntry(
            id=row.id,
            slug=row.slug,
            title=row.title,
            language=row.language,
            store_id=row.store_id,
            updated_at=as_utc(row.updated_at),
        )
        for row in rows
    ]


def public_article(
    session: Session, *, store_id: int | None, language: str, slug: str
) -> ArticleView:
    """One published public article by slug; NotFound for a draft, one in review, an
    archived or internal article and another brand's (the help center answers 404)."""
    statement = _public_statement(store_id, language).where(KbArticle.slug == slug)
    # a brand's own article wins over an all-brand one with the same slug
    article = session.scalars(
        statement.order_by(KbArticle.store_id.is_(None), KbArticle.id).limit(1)
    ).first()
    if article is None:
        raise NotFound("article not found")
    return article_view(session, article, public=True)


def record_article_view(session: Session, *, article_id: int) -> None:
    """Count one reading of an article (one UPDATE: concurrent readers never lose a count)."""
    session.execute(
        update(KbArticle)
        .where(KbArticle.id == article_id)
        .values(view_count=KbArticle.view_count + 1)
        .execution_options(synchronize_session=False)
    )
