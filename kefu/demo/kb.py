"""Demo step: a knowledge base in English and Chinese, linked as translations, published."""

from collections.abc import Callable
from datetime import timedelta

from kefu.db import Database
from kefu.demo import DemoStep
from kefu.demo.kb_content import ARTICLES, CATEGORIES
from kefu.kb import articles, categories
from kefu.kb.schemas import ArticleCreate
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow


def run(database: Database, scale: int, advance: Callable[[int], None]) -> int:
    system = Actor.system()
    made = 0
    with database.unit_of_work(actor=system) as session:
        category_ids = {
            slug: categories.create_category(session, actor=system, names=names, slug=slug).id
            for slug, names in CATEGORIES
        }
        for number, (category, visibility, tags, english, chinese) in enumerate(ARTICLES):
            ids = []
            for language, text in (("en", english), ("zh_Hans", chinese)):
                title, body = text
                article = articles.create_article(
                    session,
                    actor=system,
                    data=ArticleCreate(
                        title=title,
                        body=body,
                        language=language,
                        category_id=category_ids[category],
                        visibility=visibility,
                        tags=tags,
                        position=number,
                        # two articles are overdue, so the review list has something to show
                        review_by=(utcnow() + timedelta(days=90 if number > 1 else -3)).date(),
                    ),
                )
                articles.change_state(
                    session, actor=system, article_id=article.id, state="published"
                )
                ids.append(article.id)
                made += 1
            articles.link_translation(
                session, actor=system, article_id=ids[0], translation_id=ids[1]
            )
            advance(2)
    return made


STEP = DemoStep(name="knowledge base", run=run, size=lambda scale: 2 * len(ARTICLES))
