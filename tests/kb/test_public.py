"""The help center's read side: categories, articles by slug, and what never shows (drafts,
articles in review, archived and internal ones, another brand's)."""

import pytest

from kefu.db import Database
from kefu.errors import NotFound
from kefu.kb import articles, service
from kefu.kit.actor import Actor
from tests.commerce.factories import make_store
from tests.kb.factories import make_article, make_category


def test_public_article_is_a_plain_view_with_sanitized_html(database: Database) -> None:
    # given
    category = make_category(database)
    article = make_article(
        database,
        title="Shipping times",
        body="We ship in **2 days**.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))",
        category_id=category.id,
        tags=["Shipping", "delivery"],
    )
    # when
    with database.unit_of_work() as session:
        view = service.public_article(session, store_id=None, language="en", slug="shipping-times")
    # then
    assert view.id == article.id
    assert view.title == "Shipping times"
    assert "<strong>2 days</strong>" in view.body_html
    assert "<script" not in view.body_html and 'href="javascript' not in view.body_html
    assert view.category is not None and view.category.name == "Shipping"
    assert view.tags == ["shipping", "delivery"]
    assert view.summary.startswith("We ship in 2 days.")


@pytest.mark.parametrize("state", ["draft", "review", "archived"])
def test_unpublished_article_is_not_found(database: Database, state: str) -> None:
    make_article(database, title="Secret plans", state=state)
    with database.unit_of_work() as session, pytest.raises(NotFound):
        service.public_article(session, store_id=None, language="en", slug="secret-plans")


def test_internal_and_other_brand_articles_are_not_found(database: Database) -> None:
    # given
    lumen = make_store(database, name="Lumen")
    other = make_store(database, name="Other")
    make_article(database, title="Refund script", visibility="internal")
    make_article(database, title="Lumen sizes", store_id=lumen.id)
    with database.unit_of_work() as session:
        # then
        with pytest.raises(NotFound):
            service.public_article(session, store_id=None, language="en", slug="refund-script")
        with pytest.raises(NotFound):
            service.public_article(session, store_id=other.id, language="en", slug="lumen-sizes")
        found = service.public_article(
            session, store_id=lumen.id, language="en", slug="lumen-sizes"
        )
        assert found.title == "Lumen sizes"


def test_chinese_title_gets_its_id_as_slug_and_links_translation(database: Database) -> None:
    # given
    english = make_article(database, title="Returns policy", body="30 days.")
    chinese = make_article(database, title="退换货政策", body="30天无理由退换。", language="zh-CN")
    with database.unit_of_work() as session:
        articles.link_translation(
            session, actor=Actor.system(), article_id=english.id, translation_id=chinese.id
        )
    # when
    with database.unit_of_work() as session:
        zh = service.public_article(
            session, store_id=None, language="zh_Hans", slug=str(chinese.id)
        )
        en = service.public_article(session, store_id=None, language="en", slug="returns-policy")
    # then
    assert zh.slug == str(chinese.id)
    assert zh.translations == {"en": "returns-policy"}
    assert en.translations == {"zh_Hans": str(chinese.id)}


def test_public_categories_count_published_public_articles(database: Database) -> None:
    # given
    shipping = make_category(database, names={"en": "Shipping", "zh_Hans": "配送"})
    section = make_category(database, names={"en": "Delays"}, parent_id=shipping.id)
    empty = make_category(database, names={"en": "Empty"})
    make_article(database, title="Where is my parcel", category_id=section.id)
    make_article(database, title="Shipping times", category_id=shipping.id)
    make_article(database, title="Draft", category_id=shipping.id, state="draft")
    make_article(database, title="Internal", category_id=empty.id, visibility="internal")
    # when
    with database.unit_of_work() as session:
        english = service.public_categories(session, store_id=None, language="en")
        chinese = service.public_categories(session, store_id=None, language="zh_Hans")
    # then
    assert [(c.name, c.article_count) for c in english] == [("Shipping", 2)]
    assert [(s.name, s.article_count) for s in english[0].sections] == [("Delays", 1)]
    assert chinese == []


def test_public_articles_of_a_category_in_order(database: Database) -> None:
    category = make_category(database)
    second = make_article(database, title="B", category_id=category.id, position=2)
    first = make_article(database, title="A", category_id=category.id, position=1)
    make_article(database, title="Elsewhere")
    with database.unit_of_work() as session:
        found = service.public_articles(
            session, store_id=None, language="en", category_id=category.id
        )
    assert [a.id for a in found] == [first.id, second.id]


def test_record_article_view_counts(database: Database) -> None:
    article = make_article(database)
    for _ in range(2):
        with database.unit_of_work() as session:
            service.record_article_view(session, article_id=article.id)
    with database.unit_of_work() as session:
        view = service.public_article(session, store_id=None, language="en", slug=article.slug)
    assert view.view_count == 2
