"""The public help center: pages for a brand's published public articles, 404 for anything a
visitor may not see (drafts, in review, archived, internal, another brand's), the sitemap,
the language switch and the brand's own layout."""

import asyncio
from typing import Any

from kefu.db import Database
from tests.helpcenter.factories import link, make_article, make_brand, make_category

HOME = "/help/lumen/en"


def _brand_with_articles(database: Database) -> dict[str, int]:
    store_id = make_brand(database, primary_color="#aa3300")
    other_id = make_brand(database, name="Other", slug="other")
    category = make_category(database, store_id=store_id)
    ids = {
        "public": make_article(
            database, store_id=store_id, category_id=category, slug="shipping-times",
            title="Shipping times", body="Orders leave our warehouse within 2 days.",
        ),
        "zh": make_article(
            database, store_id=store_id, language="zh-CN", slug="fahuo", title="发货时间",
            body="订单在两天内发货。",
        ),
        "draft": make_article(database, store_id=store_id, state="draft", slug="draft-one"),
        "review": make_article(database, store_id=store_id, state="review", slug="in-review"),
        "archived": make_article(database, store_id=store_id, state="archived", slug="old"),
        "internal": make_article(
            database, store_id=store_id, visibility="internal", slug="refund-script",
            title="Refund script",
        ),
        "other_brand": make_article(database, store_id=other_id, slug="other-brand"),
        "everyone": make_article(database, store_id=None, slug="privacy", title="Privacy"),
    }  # fmt: skip
    link(database, ids["public"], translation=ids["zh"])
    link(database, ids["public"], related=[ids["draft"], ids["internal"], ids["everyone"]])
    return ids


def test_the_home_page_shows_categories_and_articles_in_the_brand_layout(
    client: Any, database: Database
) -> None:
    # given
    _brand_with_articles(database)
    # when
    response = client.get(HOME + "/")
    # then
    assert response.status_code == 200
    html = response.text
    assert "Shipping times" in html and "Privacy" in html
    assert "--brand: #aa3300" in html
    assert 'class="topbar"' not in html  # not the agents' layout
    assert "Refund script" not in html and "draft-one" not in html
    assert 'href="/help/lumen/zh-CN/"' in html  # the language switch


def test_an_article_page_links_its_translation_and_only_public_related_articles(
    client: Any, database: Database
) -> None:
    _brand_with_articles(database)
    html = client.get(HOME + "/articles/shipping-times").text
    assert "Orders leave our warehouse within 2 days." in html
    assert 'href="/help/lumen/zh-CN/articles/fahuo"' in html
    assert "/articles/privacy" in html
    assert "/articles/draft-one" not in html and "/articles/refund-script" not in html


def test_the_chinese_article_is_served_in_chinese(client: Any, database: Database) -> None:
    _brand_with_articles(database)
    response = client.get("/help/lumen/zh-CN/articles/fahuo")
    assert response.status_code == 200
    assert "订单在两天内发货。" in response.text
    assert 'lang="zh-Hans"' in response.text
    assert "这篇文章有帮助吗" in response.text or "Was this article helpful?" in response.text


def test_what_a_visitor_may_not_see_is_not_found(client: Any, database: Database) -> None:
    _brand_with_articles(database)
    for slug in ("draft-one", "in-review", "old", "refund-script", "other-brand", "nothing"):
        response = client.get(f"{HOME}/articles/{slug}")
        assert (slug, response.status_code) == (slug, 404)
        assert "Shipping times" not in response.text or slug == "nothing"
    assert client.get("/help/lumen/fr/").status_code == 404
    assert client.get("/help/nobody/en/").status_code == 404
    assert client.get("/help/other/en/articles/shipping-times").status_code == 404


def test_search_finds_only_public_articles(client: Any, database: Database) -> None:
    _brand_with_articles(database)
    html = client.get(HOME + "/search", params={"q": "refund"}).text
    assert "Refund script" not in html
    html = client.get(HOME + "/search", params={"q": "shipp"}).text
    assert "/articles/shipping-times" in html
    html = client.get("/help/lumen/zh-CN/search", params={"q": "发货"}).text
    assert "/articles/fahuo" in html


def test_the_sitemap_lists_published_public_articles_only(client: Any, database: Database) -> None:
    _brand_with_articles(database)
    response = client.get("/help/lumen/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    xml = response.text
    for slug in ("shipping-times", "fahuo", "privacy"):
        assert f"/articles/{slug}</loc>" in xml
    for slug in ("draft-one", "in-review", "old", "refund-script", "other-brand"):
        assert f"/articles/{slug}<" not in xml


def test_a_category_page_lists_its_articles(client: Any, database: Database) -> None:
    _brand_with_articles(database)
    home = client.get(HOME + "/").text
    start = home.index("/categories/")
    href = home[start : home.index('"', start)]
    html = client.get(HOME + href).text
    assert "/articles/shipping-times" in html
    assert client.get(HOME + "/categories/999999").status_code == 404
    assert client.get(HOME + "/categories/shipping").status_code == 404


def test_the_default_brand_answers_at_help_and_a_brand_at_its_own_host(
    client: Any, database: Database
) -> None:
    _brand_with_articles(database)
    make_brand(database, name="Default", slug="main", is_default=True, host="help.example.com")
    assert client.get("/help").headers["location"] == "/help/main/en/"
    response = client.get("/", headers={"host": "help.example.com"})
    assert response.headers["location"] == "/en/"
    home = client.get("/en/", headers={"host": "help.example.com"})
    assert home.status_code == 200 and 'href="/en/search"' not in home.text
    assert 'action="/en/search"' in home.text
    assert client.get("/login", headers={"host": "help.example.com"}).status_code == 404


def test_a_disabled_help_center_is_not_found(client: Any, database: Database) -> None:
    make_brand(database, is_enabled=False)
    assert client.get(HOME + "/").status_code == 404


def test_the_sitemap_lists_every_article_past_a_page_of_them(
    client: Any, database: Database
) -> None:
    """The sitemap reads kb's light index, not a page of full articles: 501 all appear."""
    from kefu.kb import articles as kb_articles
    from kefu.kb.schemas import ArticleCreate
    from kefu.kit.actor import Actor

    # given a brand with 501 published articles in English
    store_id = make_brand(database)
    system = Actor.system()
    with database.unit_of_work(actor=system) as session:
        for n in range(501):
            data = ArticleCreate(title=f"Answer {n}", body="Text.", store_id=store_id)
            made = kb_articles.create_article(session, actor=system, data=data)
            kb_articles.change_state(session, actor=system, article_id=made.id, state="published")
    # when the sitemap is read
    xml = client.get("/help/lumen/sitemap.xml").text
    # then every one of them is in it, with its date
    assert xml.count("/en/articles/answer-") == 501
    assert xml.count("<lastmod>") == 501


def test_the_most_read_article_is_popular_however_old(client: Any, database: Database) -> None:
    """Popular ranks every published article by its reads, not a first page of them."""
    from kefu.kb import articles as kb_articles
    from kefu.kb.schemas import ArticleCreate
    from kefu.kit.actor import Actor

    # given 40 articles, the oldest of them read twice
    store_id = make_brand(database)
    system = Actor.system()
    with database.unit_of_work(actor=system) as session:
        for n in range(40):
            data = ArticleCreate(title=f"Question {n}", body="Text.", store_id=store_id)
            made = kb_articles.create_article(session, actor=system, data=data)
            kb_articles.change_state(session, actor=system, article_id=made.id, state="published")
    for _ in range(2):
        assert client.get("/help/lumen/en/articles/question-0").status_code == 200
    # when the home page is read
    home = client.get("/help/lumen/en/").text
    # then the oldest, most read article heads the popular list
    popular = home[home.index('id="hc-popular"') :]
    assert popular.index("/articles/question-0") < popular.index("/articles/question-39")


def test_the_host_directory_is_read_off_the_event_loop(
    client: Any, database: Database, monkeypatch: Any
) -> None:
    """On SQLite its unit of work waits its turn to write; the request holding the turn may
    need the event loop to commit, so waiting on the loop could hang every request."""
    from kefu.kb.helpcenter import hosts, sites

    read_on_a_loop: list[bool] = []
    directory = sites.directory

    def spying(session: Any) -> Any:
        try:
            asyncio.get_running_loop()
            read_on_a_loop.append(True)
        except RuntimeError:
            read_on_a_loop.append(False)
        return directory(session)

    monkeypatch.setattr(sites, "directory", spying)
    hosts.forget_hosts(client.app)
    make_brand(database, name="Default", slug="main", is_default=True, host="help.example.com")
    assert client.get("/en/", headers={"host": "help.example.com"}).status_code == 200
    assert read_on_a_loop == [False]
