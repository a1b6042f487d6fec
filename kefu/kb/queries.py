"""The agents' read side: article lists by state, category and language, and search, as the
kb pages and the API show them."""

from collections.abc import Sequence

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from kefu.errors import NotFound
from kefu.kb.articles import get_article
from kefu.kb.models import KbArticle
from kefu.kb.search import search_articles
from kefu.kb.views import ArticleHit
from kefu.kit.actor import Actor
from kefu.permissions import can, require

AGENT_STATES = ("published",)
WRITER_STATES = ("draft", "review", "published")
ALL_STATES = ("draft", "review", "published", "archived")


def visible_states(actor: Actor) -> tuple[str, ...]:
    """Readers see published articles, writers drafts and reviews too, managers everything."""
    if can(actor, "kb.manage"):
        return ALL_STATES
    if can(actor, "kb.write"):
        return WRITER_STATES
    return AGENT_STATES


def read_article(session: Session, *, actor: Actor, article_id: int) -> KbArticle:
    """An article an agent may open (NotFound for a state their role does not see)."""
    require(actor, "kb.read")
    article = get_article(session, article_id)
    if article.state not in visible_states(actor):
        raise NotFound(f"article {article_id} not found")
    return article


def list_articles(
    session: Session,
    *,
    actor: Actor,
    states: Sequence[str] | None = None,
    language: str | None = None,
    category_id: int | None = None,
    store_id: int | None = None,
    visibility: str | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[KbArticle]:
    """Articles the actor may see, newest change first."""
    require(actor, "kb.read")
    allowed = visible_states(actor)
    wanted = [s for s in (states or allowed) if s in allowed]
    statement = select(KbArticle).where(KbArticle.state.in_(wanted))
    if language:
        statement = statement.where(KbArticle.language == language)
    if category_id is not None:
        statement = statement.where(KbArticle.category_id == category_id)
    if store_id is not None:
        statement = statement.where(
            or_(KbArticle.store_id == store_id, KbArticle.store_id.is_(None))
        )
    if visibility:
        statement = statement.where(KbArticle.visibility == visibility)
    statement = statement.order_by(KbArticle.updated_at.desc(), KbArticle.id.desc())
    return list(session.scalars(statement.limit(max(1, min(limit, 500))).offset(max(0, offset))))


def search_for_agent(
    session: Session,
    *,
    actor: Actor,
    query: str,
    language: str | None = None,
    store_id: int | None = None,
    states: Sequence[str] | None = None,
    limit: int = 20,
) -> list[ArticleHit]:
    """Search what the actor may see: published public and internal articles (writers also
    drafts and reviews when they ask for those states)."""
    require(actor, "kb.read")
    allowed = visible_states(actor)
    wanted = [s for s in (states or ("published",)) if s in allowed] or ["published"]
    return search_articles(
        session,
        query=query,
        language=language,
        store_id=store_id,
        public_only=False,
        limit=limit,
        states=wanted,
    )
