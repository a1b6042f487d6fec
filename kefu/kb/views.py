"""What the kb hands to other domains (the help center, the composer): plain dataclasses,
never ORM objects."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class CategoryRef:
    id: int
    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class ArticleEntry:
    """A published public article in a listing of all of them (sitemaps, report labels)."""

    id: int
    slug: str
    title: str
    language: str
    store_id: int | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class ArticleLink:
    """Another article in a list: a related article or a translation."""

    id: int
    slug: str
    title: str
    language: str


@dataclass(frozen=True, slots=True)
class CategoryView:
    """A public category in one language with its sections (same shape, no sections of their
    own) and how many published public articles it and its sections hold."""

    id: int
    slug: str
    name: str
    description: str
    position: int
    store_id: int | None
    parent_id: int | None
    article_count: int
    sections: list["CategoryView"] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ArticleView:
    """An article as readers see it; `body_html` is rendered from Markdown and sanitized.
    `translations` maps another language to that translation's slug (published ones only
    when the view is public)."""

    id: int
    slug: str
    title: str
    summary: str
    body_html: str
    category: CategoryRef | None
    language: str
    translations: dict[str, str]
    updated_at: datetime
    related: list[ArticleLink]
    store_id: int | None
    state: str
    visibility: str
    tags: list[str]
    published_at: datetime | None
    view_count: int


@dataclass(frozen=True, slots=True)
class ArticleHit:
    """A search result: `snippet_html` is escaped text around the first match, the matched
    words in <mark>; `score` orders hits (a title match outranks any number in the text)."""

    id: int
    slug: str
    title: str
    summary: str
    snippet_html: str
    language: str
    store_id: int | None
    visibility: str
    state: str
    category: CategoryRef | None
    score: int
    updated_at: datetime
