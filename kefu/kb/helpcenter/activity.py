"""What visitors do in the help center, written as they do it: article views and searches.
Search-as-you-type keeps one row per search box (`typing_key`) while the words grow or
shrink, so the knowledge-gaps list holds what people finally asked, not every keystroke."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kefu.kb.helpcenter.models import HelpCenterArticleView, HelpCenterSearch
from kefu.kit.clock import utcnow

POPULAR_WINDOW = timedelta(days=90)
MAX_QUERY = 200


def record_view(session: Session, *, store_id: int, language: str, article_id: int) -> None:
    session.add(HelpCenterArticleView(store_id=store_id, language=language, article_id=article_id))


def most_viewed(
    session: Session, *, store_id: int, language: str, limit: int = 50
) -> dict[int, int]:
    """Article id → views in the last 90 days, the most read first."""
    views = func.count(HelpCenterArticleView.id)
    rows = session.execute(
        select(HelpCenterArticleView.article_id, views)
        .where(
            HelpCenterArticleView.store_id == store_id,
            HelpCenterArticleView.language == language,
            HelpCenterArticleView.created_at >= utcnow() - POPULAR_WINDOW,
        )
        .group_by(HelpCenterArticleView.article_id)
        .order_by(views.desc())
        .limit(limit)
    )
    return {int(article_id): int(count) for article_id, count in rows.all()}


def _continues(earlier: str, later: str) -> bool:
    a, b = earlier.casefold(), later.casefold()
    return a.startswith(b) or b.startswith(a)


def record_search(
    session: Session,
    *,
    store_id: int,
    language: str,
    query: str,
    results_count: int,
    typing_key: str | None = None,
) -> HelpCenterSearch | None:
    """Log one search (nothing for an empty one). With a `typing_key`, a query that extends
    or shortens the box's last one replaces it."""
    query = " ".join(query.split())[:MAX_QUERY]
    if not query:
        return None
    if typing_key:
        last = session.scalar(
            select(HelpCenterSearch)
            .where(HelpCenterSearch.typing_key == typing_key[:40])
            .order_by(HelpCenterSearch.id.desc())
            .limit(1)
        )
        if last is not None and last.store_id == store_id and _continues(last.query, query):
            last.query, last.results_count, last.language = query, results_count, language
            last.created_at = utcnow()
            return last
    row = HelpCenterSearch(
        store_id=store_id,
        language=language,
        query=query,
        results_count=results_count,
        typing_key=typing_key[:40] if typing_key else None,
    )
    session.add(row)
    return row
