"""Knowledge-base JSON API under /api/v1: list and search articles, read, write and move them
through their states."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query, status
from pydantic import BaseModel

from kefu.api.routing import CONFLICT, NOT_FOUND, api_router
from kefu.kb import articles, queries
from kefu.kb.schemas import ArticleCreate, ArticleRead, ArticleUpdate, StateChange
from kefu.kit.bounds import INT4_MAX
from kefu.web.deps import ApiActor, DbSession

router = api_router("knowledge base")
ArticleId = Annotated[int, Path(ge=1, le=INT4_MAX, description="the article's id", examples=[1])]


class ArticleHitRead(BaseModel):
    id: int
    slug: str
    title: str
    summary: str
    snippet_html: str
    language: str
    store_id: int | None
    visibility: str
    state: str
    score: int


@router.get("/kb/articles", response_model=list[ArticleRead])
def list_articles(
    session: DbSession,
    actor: ApiActor,
    state: Annotated[
        list[str] | None, Query(description="draft, review, published, archived")
    ] = None,
    language: Annotated[str | None, Query(pattern="^(en|zh_Hans)$")] = None,
    category_id: Annotated[int | None, Query(ge=1, le=INT4_MAX)] = None,
    store_id: Annotated[int | None, Query(ge=1, le=INT4_MAX)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=INT4_MAX)] = 0,
) -> list[ArticleRead]:
    """Articles your role sees (agents: published; writers: drafts and reviews too;
    managers: archived too), newest change first."""
    found = queries.list_articles(
        session,
        actor=actor,
        states=state,
        language=language,
        category_id=category_id,
        store_id=store_id,
        limit=limit,
        offset=offset,
    )
    return [ArticleRead.model_validate(a) for a in found]


@router.get("/kb/search", response_model=list[ArticleHitRead])
def search_articles(
    session: DbSession,
    actor: ApiActor,
    q: Annotated[str, Query(min_length=1, max_length=200, examples=["退款", "refu"])],
    language: Annotated[str | None, Query(pattern="^(en|zh_Hans)$")] = None,
    store_id: Annotated[int | None, Query(ge=1, le=INT4_MAX)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> list[ArticleHitRead]:
    """Published articles (public and internal) matching every word: English words by
    prefix, Chinese by two-character terms; title matches first."""
    hits = queries.search_for_agent(
        session, actor=actor, query=q, language=language, store_id=store_id, limit=limit
    )
    return [ArticleHitRead.model_validate(h, from_attributes=True) for h in hits]


@router.get("/kb/articles/{article_id}", response_model=ArticleRead, responses=NOT_FOUND)
def get_article(article_id: ArticleId, session: DbSession, actor: ApiActor) -> ArticleRead:
    article = queries.read_article(session, actor=actor, article_id=article_id)
    return ArticleRead.model_validate(article)


@router.post("/kb/articles", response_model=ArticleRead, status_code=status.HTTP_201_CREATED)
def create_article(data: ArticleCreate, session: DbSession, actor: ApiActor) -> ArticleRead:
    """A new draft (version 1); the body is Markdown, `body_html` its sanitized HTML."""
    return ArticleRead.model_validate(articles.create_article(session, actor=actor, data=data))


@router.patch("/kb/articles/{article_id}", response_model=ArticleRead, responses=NOT_FOUND)
def update_article(
    article_id: ArticleId, data: ArticleUpdate, session: DbSession, actor: ApiActor
) -> ArticleRead:
    """Change the fields sent; a changed title or body keeps a new version. Published and
    archived articles need "kb.manage"."""
    queries.read_article(session, actor=actor, article_id=article_id)
    article = articles.update_article(session, actor=actor, article_id=article_id, data=data)
    return ArticleRead.model_validate(article)


@router.post(
    "/kb/articles/{article_id}/state",
    response_model=ArticleRead,
    responses={**NOT_FOUND, **CONFLICT},
)
def change_state(
    article_id: ArticleId, data: StateChange, session: DbSession, actor: ApiActor
) -> ArticleRead:
    """draft → review → published → archived (and back to draft); publishing and archiving
    need "kb.manage"; a move the workflow does not allow is a 409."""
    queries.read_article(session, actor=actor, article_id=article_id)
    article = articles.change_state(session, actor=actor, article_id=article_id, state=data.state)
    return ArticleRead.model_validate(article)
