"""Knowledge-base test data, made through the services: categories, articles in a state."""

from typing import Any

from kefu.db import Database
from kefu.kb import articles, categories
from kefu.kb.models import KbArticle, KbCategory
from kefu.kb.schemas import ArticleCreate
from kefu.kit.actor import Actor

SYSTEM = Actor.system()
MANAGER = Actor(kind="agent", name="Mia Manager", agent_id=None, role="manager")
AGENT = Actor(kind="agent", name="Ann Agent", agent_id=None, role="agent")
LIGHT = Actor(kind="agent", name="Lee Light", agent_id=None, role="light_agent")


def make_category(database: Database, **values: Any) -> KbCategory:
    values.setdefault("names", {"en": "Shipping", "zh_Hans": "配送"})
    with database.unit_of_work(actor=SYSTEM) as session:
        return categories.create_category(session, actor=SYSTEM, **values)


def make_article(database: Database, *, state: str = "published", **values: Any) -> KbArticle:
    """An article through the services, moved to `state` (published by default)."""
    data = ArticleCreate(
        **{"title": "Shipping times", "body": "We ship within **2 days**.", **values}
    )
    with database.unit_of_work(actor=SYSTEM) as session:
        article = articles.create_article(session, actor=SYSTEM, data=data)
        if state == "archived":
            articles.change_state(session, actor=SYSTEM, article_id=article.id, state="published")
        if state != "draft":
            articles.change_state(session, actor=SYSTEM, article_id=article.id, state=state)
        return article
