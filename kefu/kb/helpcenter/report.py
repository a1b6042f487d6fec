"""The "Help center activity" figures for a brand and a period: article views, searches,
searches that found nothing (the knowledge gaps), deflection and article helpfulness."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kefu.kb.helpcenter import contact, votes
from kefu.kb.helpcenter.models import HelpCenterArticleView, HelpCenterSearch


@dataclass(frozen=True, slots=True)
class Gap:
    query: str
    language: str
    searches: int


@dataclass(frozen=True, slots=True)
class Activity:
    views: int
    searches: int
    searches_without_results: int
    gaps: list[Gap]
    top_articles: list[tuple[int, int]]  # (article id, views)
    deflection: contact.Deflection
    helpfulness: list[votes.Helpfulness]


def _between(column, since: datetime, until: datetime) -> tuple:
    return (column >= since, column < until)


def searches_without_results(
    session: Session, *, store_id: int | None, since: datetime, until: datetime, limit: int = 50
) -> list[Gap]:
    """What visitors searched for and found nothing, the most asked first (the knowledge
    gaps; `store_id` None: every brand). The same words in another case count together."""
    words = func.lower(HelpCenterSearch.query)
    statement = (
        select(words, HelpCenterSearch.language, func.count(HelpCenterSearch.id))
        .where(
            HelpCenterSearch.results_count == 0,
            *_between(HelpCenterSearch.created_at, since, until),
        )
        .group_by(words, HelpCenterSearch.language)
        .order_by(func.count(HelpCenterSearch.id).desc(), words)
        .limit(limit)
    )
    if store_id is not None:
        statement = statement.where(HelpCenterSearch.store_id == store_id)
    return [Gap(query, language, int(n)) for query, language, n in session.execute(statement)]


def activity(session: Session, *, store_id: int, since: datetime, until: datetime) -> Activity:
    def count(model, *conditions) -> int:
        statement = select(func.count(model.id)).where(
            model.store_id == store_id, *_between(model.created_at, since, until), *conditions
        )
        return int(session.scalar(statement) or 0)

    views = func.count(HelpCenterArticleView.id)
    top = session.execute(
        select(HelpCenterArticleView.article_id, views)
        .where(
            HelpCenterArticleView.store_id == store_id,
            *_between(HelpCenterArticleView.created_at, since, until),
        )
        .group_by(HelpCenterArticleView.article_id)
        .order_by(views.desc(), HelpCenterArticleView.article_id)
        .limit(20)
    )
    return Activity(
        views=count(HelpCenterArticleView),
        searches=count(HelpCenterSearch),
        searches_without_results=count(HelpCenterSearch, HelpCenterSearch.results_count == 0),
        gaps=searches_without_results(session, store_id=store_id, since=since, until=until),
        top_articles=[(article_id, int(n)) for article_id, n in top],
        deflection=contact.deflection(session, store_id=store_id, since=since, until=until),
        helpfulness=votes.helpfulness(session, store_id=store_id, since=since, until=until),
    )
