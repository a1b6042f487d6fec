"""Article search on both databases: Chinese bigrams, English prefixes, ranking, snippets and
what the help center never finds."""

from kefu.db import Database
from kefu.kb import service
from tests.commerce.factories import make_store
from tests.kb.factories import make_article


def _search(database: Database, query: str, **values: object) -> list[str]:
    options = {"language": None, "store_id": None, "public_only": True, **values}
    with database.unit_of_work() as session:
        return [h.title for h in service.search_articles(session, query=query, **options)]


def test_chinese_two_character_term_finds_it_inside_a_longer_word(database: Database) -> None:
    make_article(database, title="申请退款流程", body="在订单页面点击申请。", language="zh-CN")
    make_article(database, title="发票说明", body="电子发票将发送到邮箱。", language="zh-CN")
    assert _search(database, "退款") == ["申请退款流程"]
    assert _search(database, "发票") == ["发票说明"]
    assert _search(database, "退货") == []


def test_english_prefix_and_every_word_must_match(database: Database) -> None:
    make_article(database, title="Refunds", body="How a refund reaches your card.")
    make_article(database, title="Shipping times", body="Parcels leave within two days.")
    assert _search(database, "ref") == ["Refunds"]
    assert _search(database, "Parc LEAVE") == ["Shipping times"]
    assert _search(database, "refund parcel") == []


def test_title_matches_rank_first(database: Database) -> None:
    make_article(database, title="Sizes", body="See the returns page for exchanges.")
    make_article(database, title="Returns", body="Send it back within 30 days.")
    assert _search(database, "return") == ["Returns", "Sizes"]


def test_help_center_search_skips_drafts_internal_and_other_brands(database: Database) -> None:
    lumen = make_store(database, name="Lumen")
    other = make_store(database, name="Other")
    make_article(database, title="Refund draft", state="draft")
    make_article(database, title="Refund script", visibility="internal")
    make_article(database, title="Refund at Lumen", store_id=lumen.id)
    make_article(database, title="Refund everywhere")
    assert _search(database, "refund", store_id=other.id) == ["Refund everywhere"]
    assert sorted(_search(database, "refund", store_id=lumen.id)) == [
        "Refund at Lumen",
        "Refund everywhere",
    ]
    assert sorted(_search(database, "refund", public_only=False, store_id=other.id)) == [
        "Refund everywhere",
        "Refund script",
    ]


def test_search_in_one_language(database: Database) -> None:
    make_article(database, title="Invoice 发票", language="zh-CN")
    make_article(database, title="Invoice")
    assert _search(database, "invoice", language="en") == ["Invoice"]


def test_snippet_marks_the_match_and_escapes(database: Database) -> None:
    make_article(
        database, title="Gift cards", body="A <b>gift card</b> never expires & refunds go back."
    )
    with database.unit_of_work() as session:
        [hit] = service.search_articles(
            session, query="expir", language="en", store_id=None, public_only=True
        )
    assert "<mark>expir</mark>es" in hit.snippet_html
    assert "<b>" not in hit.snippet_html
    assert "&amp;" in hit.snippet_html


def test_edited_article_is_found_by_its_new_words_only(database: Database) -> None:
    from kefu.kb import articles
    from kefu.kb.schemas import ArticleUpdate
    from kefu.kit.actor import Actor

    article = make_article(database, title="Parcel lockers")
    with database.unit_of_work() as session:
        articles.update_article(
            session,
            actor=Actor.system(),
            article_id=article.id,
            data=ArticleUpdate(title="Pickup points"),
        )
    assert _search(database, "locker") == []
    assert _search(database, "pickup") == ["Pickup points"]
