"""Help-center test data, made through the services: a brand with its site, kb articles in
any state, the visitor's way through pages."""

import re
from typing import Any

from kefu.db import Database
from kefu.kb import articles, categories
from kefu.kb.helpcenter import sites
from kefu.kb.helpcenter.schemas import SiteIn
from kefu.kb.schemas import ArticleCreate
from kefu.kit.actor import Actor
from tests.commerce.factories import make_store

SYSTEM = Actor.system()


def make_brand(database: Database, *, name: str = "Lumen", slug: str = "lumen", **site: Any) -> int:
    """A store with an enabled help center in English and Chinese; returns the store id."""
    store = make_store(database, name=name)
    values = {"slug": slug, "languages": ["en", "zh-CN"], **site}
    with database.unit_of_work(actor=SYSTEM) as session:
        sites.save_site(session, actor=SYSTEM, store_id=store.id, data=SiteIn(**values))
    return store.id


def make_category(database: Database, *, store_id: int | None, **values: Any) -> int:
    values.setdefault("names", {"en": "Shipping", "zh_Hans": "配送"})
    with database.unit_of_work(actor=SYSTEM) as session:
        return categories.create_category(session, actor=SYSTEM, store_id=store_id, **values).id


def make_article(database: Database, *, state: str = "published", **values: Any) -> int:
    """A kb article moved to `state` (published by default); returns its id."""
    data = ArticleCreate(**{"title": "Shipping times", "body": "We ship in 2 days.", **values})
    with database.unit_of_work(actor=SYSTEM) as session:
        article = articles.create_article(session, actor=SYSTEM, data=data)
        if state in ("published", "archived"):
            articles.change_state(session, actor=SYSTEM, article_id=article.id, state="published")
        if state in ("review", "archived"):
            articles.change_state(session, actor=SYSTEM, article_id=article.id, state=state)
        return article.id


def link(database: Database, article_id: int, *, translation: int | None = None,
         related: list[int] | None = None) -> None:  # fmt: skip
    with database.unit_of_work(actor=SYSTEM) as session:
        if translation is not None:
            articles.link_translation(
                session, actor=SYSTEM, article_id=article_id, translation_id=translation
            )
        if related is not None:
            articles.set_related(session, actor=SYSTEM, article_id=article_id, related_ids=related)


VISIT_RE = re.compile(r'name="visit" value="([^"]+)"')


def visit_token(html: str) -> str:
    match = VISIT_RE.search(html)
    assert match, "the contact form has no visit token"
    return match.group(1)
