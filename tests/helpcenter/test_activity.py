"""What the help center logs (views, searches, search-as-you-type as one search) and the
"Help center activity" report and settings pages managers use."""

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from kefu.db import Database
from kefu.kb.helpcenter import report
from kefu.kb.helpcenter.models import HelpCenterSearch, HelpCenterSite
from kefu.kit.clock import utcnow
from kefu.permissions import Role
from tests.accounts.factories import PASSWORD, make_agent
from tests.helpcenter.factories import make_article, make_brand
from tests.web.helpers import csrf_token, sign_in

SEARCH = "/help/lumen/en/search"


def _searches(database: Database) -> list[tuple[str, int, str]]:
    with database.sessions() as session:
        rows = session.scalars(select(HelpCenterSearch).order_by(HelpCenterSearch.id))
        return [(s.query, s.results_count, s.language) for s in rows]


def _activity(database: Database, store_id: int) -> report.Activity:
    with database.sessions() as session:
        now = utcnow()
        return report.activity(
            session, store_id=store_id, since=now - timedelta(days=1), until=now + timedelta(1)
        )


def test_typing_is_logged_as_one_search_and_a_new_one_as_another(
    client: Any, database: Database
) -> None:
    # given
    store_id = make_brand(database)
    make_article(database, store_id=store_id, slug="refunds", title="Refunds")
    typing = {"hx-request": "true"}
    # when
    for words in ("re", "ref", "refund"):
        client.get(SEARCH, params={"q": words, "k": "box-one-0123456789"}, headers=typing)
    client.get(SEARCH, params={"q": "customs duty", "k": "box-one-0123456789"}, headers=typing)
    client.get("/help/lumen/zh-CN/search", params={"q": "关税"})
    # then
    assert _searches(database) == [
        ("refund", 1, "en"),
        ("customs duty", 0, "en"),
        ("关税", 0, "zh-CN"),
    ]


def test_the_report_counts_views_searches_gaps_and_helpfulness(
    client: Any, database: Database
) -> None:
    # given
    store_id = make_brand(database)
    article_id = make_article(database, store_id=store_id, slug="refunds", title="Refunds")
    article = "/help/lumen/en/articles/refunds"
    token = csrf_token(client.get(article).text)
    client.get(article)
    client.post(article + "/vote", data={"csrf_token": token, "helpful": "yes"})
    client.cookies.clear()
    token = csrf_token(client.get(article).text)
    client.post(article + "/vote", data={"csrf_token": token, "helpful": "no"},
                headers={"user-agent": "another browser"})  # fmt: skip
    for words in ("Customs", "customs", "refunds"):
        client.get(SEARCH, params={"q": words})
    # when
    found = _activity(database, store_id)
    # then
    assert (found.views, found.searches, found.searches_without_results) == (3, 3, 2)
    assert [(g.query, g.searches) for g in found.gaps] == [("customs", 2)]
    assert found.top_articles == [(article_id, 3)]
    assert [(h.article_id, h.yes, h.no, h.rate) for h in found.helpfulness] == [
        (article_id, 1, 1, 0.5)
    ]


def test_a_manager_sees_the_activity_page(client: Any, database: Database) -> None:
    make_brand(database)
    client.get(SEARCH, params={"q": "customs"})
    make_agent(database, email="lead@example.com", role=Role.MANAGER)
    sign_in(client, "lead@example.com", PASSWORD)
    html = client.get("/admin/helpcenter-activity").text
    assert "Knowledge gaps" in html and "<td>customs</td>" in html
    assert 'href="/admin/helpcenter-activity"' in client.get("/admin").text


def test_an_admin_sets_up_a_brands_help_center(client: Any, database: Database) -> None:
    # given
    store_id = make_brand(database)
    make_agent(database, email="admin@example.com", role=Role.ADMIN)
    sign_in(client, "admin@example.com", PASSWORD)
    token = csrf_token(client.get(f"/admin/helpcenter/{store_id}").text)
    form = {
        "csrf_token": token, "slug": "lumen-help", "title": "Lumen Help", "host": "Help.Lumen.test",
        "languages": ["zh-CN", "en"], "primary_color": "#112233", "is_enabled": "1",
        "has_contact_form": "1",
    }  # fmt: skip
    # when
    saved = client.post(f"/admin/helpcenter/{store_id}", data=form)
    refused = client.post(f"/admin/helpcenter/{store_id}", data={**form, "slug": "en"})
    logo = client.post(
        f"/admin/helpcenter/{store_id}/logo",
        data={"csrf_token": token},
        files={"logo": ("logo.png", b"\x89PNG\r\n\x1a\nrest", "image/png")},
    )
    bad_logo = client.post(
        f"/admin/helpcenter/{store_id}/logo",
        data={"csrf_token": token},
        files={"logo": ("logo.svg", b"<svg onload=alert(1)>", "image/svg+xml")},
    )
    # then
    assert saved.status_code == 303 and logo.status_code == 303
    assert refused.status_code == 422 and "reserved" in refused.text
    assert bad_logo.status_code == 422
    with database.sessions() as session:
        site = session.get(HelpCenterSite, store_id)
        assert site is not None
        assert (site.slug, site.host, site.languages, site.primary_color) == (
            "lumen-help", "help.lumen.test", ["zh-CN", "en"], "#112233",
        )  # fmt: skip
    assert client.get("/help/lumen-help/logo").content == b"\x89PNG\r\n\x1a\nrest"
    home = client.get("/help/lumen-help/zh-CN/")
    assert home.status_code == 200 and "/help/lumen-help/logo?v=" in home.text


def test_an_agent_may_not_change_help_center_settings(client: Any, database: Database) -> None:
    store_id = make_brand(database)
    make_agent(database, email="ann@example.com", role=Role.AGENT)
    sign_in(client, "ann@example.com", PASSWORD)
    assert client.get(f"/admin/helpcenter/{store_id}").status_code == 403
    assert client.get("/admin/helpcenter-activity").status_code == 403
