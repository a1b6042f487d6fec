"""Smaller promises: search-as-you-type answers a fragment, the browser's language picks the
help center's, the owner's notification leads to the comments, settings refuse clashes."""

from typing import Any

import pytest

from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.errors import Conflict
from kefu.kb.helpcenter import sites
from kefu.kb.helpcenter.schemas import SiteIn
from kefu.kit.actor import Actor
from tests.accounts.factories import PASSWORD, make_agent
from tests.helpcenter.factories import make_article, make_brand
from tests.web.helpers import csrf_token, sign_in


def test_search_as_you_type_answers_only_the_results(client: Any, database: Database) -> None:
    store_id = make_brand(database)
    make_article(database, store_id=store_id, slug="refunds", title="Refunds")
    response = client.get(
        "/help/lumen/en/search", params={"q": "refu"}, headers={"hx-request": "true"}
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'href="/help/lumen/en/articles/refunds"' in response.text


def test_the_browsers_language_chooses_the_help_centers(client: Any, database: Database) -> None:
    make_brand(database)
    chinese = client.get("/help/lumen/", headers={"accept-language": "zh-CN,zh;q=0.9"})
    english = client.get("/help/lumen", headers={"accept-language": "fr"})
    assert chinese.headers["location"] == "/help/lumen/zh-CN/"
    assert english.headers["location"] == "/help/lumen/en/"


def test_two_brands_cannot_share_a_path_or_host(database: Database) -> None:
    make_brand(database, host="help.lumen.test")
    other = make_brand(database, name="Other", slug="other")
    system = Actor.system()
    for clash in ({"slug": "lumen"}, {"slug": "other", "host": "help.lumen.test"}):
        with database.unit_of_work(actor=system) as session, pytest.raises(Conflict):
            sites.save_site(session, actor=system, store_id=other, data=SiteIn(**clash))


def test_only_one_brand_is_the_default(database: Database) -> None:
    first = make_brand(database, is_default=True)
    second = make_brand(database, name="Other", slug="other", is_default=True)
    with database.sessions() as session:
        found = {store_id: site.is_default for store_id, site in sites.list_sites(session).items()}
    assert found == {first: False, second: True}


def test_the_owners_notification_leads_to_the_comments(client: Any, database: Database) -> None:
    # given
    owner = make_agent(database, email="owner@example.com")
    store_id = make_brand(database)
    make_article(database, store_id=store_id, slug="refunds", title="Refunds", owner_id=owner.id)
    article = "/help/lumen/en/articles/refunds"
    token = csrf_token(client.get(article).text)
    client.post(article + "/vote", data={"csrf_token": token, "helpful": "no"})
    client.post(article + "/comment", data={"csrf_token": token, "text": "Too short."})
    dispatch_due(database)
    # when
    client.cookies.clear()
    sign_in(client, "owner@example.com", PASSWORD)
    notices = client.get("/notifications").text
    comments = client.get("/admin/helpcenter-feedback").text
    # then
    assert 'href="/admin/helpcenter-feedback"' in notices
    assert "A reader commented on your article “Refunds”" in notices
    assert "Too short." in comments and "Refunds" in comments


def test_the_demo_sets_up_both_stores_help_centers_once(client: Any, database: Database) -> None:
    from kefu.demo import helpcenter as demo
    from tests.commerce.factories import make_store

    make_store(database, name="Lumen Outfitters")
    make_store(database, name="优选生活馆")
    assert demo.run(database, 1, lambda n: None) == 2
    assert demo.run(database, 1, lambda n: None) == 0
    assert client.get("/help").headers["location"] == "/help/lumen/en/"
    assert client.get("/help/youxuan/zh-CN/").status_code == 200


def test_the_kb_links_public_articles_to_the_help_center(client: Any, database: Database) -> None:
    from kefu.kb import articles
    from kefu.kb.links import article_url

    store_id = make_brand(database)
    make_brand(database, name="Main", slug="main", is_default=True, languages=["en"])
    ids = [
        make_article(database, store_id=store_id, slug="refunds"),
        make_article(database, store_id=store_id, language="zh-CN", slug="tuikuan"),
        make_article(database, store_id=None, slug="privacy"),
        make_article(database, store_id=None, language="zh-CN", slug="yinsi"),
        make_article(database, store_id=store_id, slug="script", visibility="internal"),
    ]
    client.get("/login")  # a request keeps the sites' directory
    with database.sessions() as session:
        urls = [article_url(articles.get_article(session, i)) for i in ids]
    assert urls == [
        "/help/lumen/en/articles/refunds",
        "/help/lumen/zh-CN/articles/tuikuan",
        "/help/main/en/articles/privacy",
        f"/kb/articles/{ids[3]}",  # the default help center has no Chinese
        f"/kb/articles/{ids[4]}",
    ]
