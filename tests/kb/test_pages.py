"""The agents' knowledge-base pages: browse and search, write with a preview, state buttons,
versions with diff and restore, translations, images; who may do what."""

from typing import Any

from kefu.db import Database
from kefu.kb import articles
from kefu.permissions import Role
from tests.accounts.factories import PASSWORD, make_agent
from tests.kb.factories import make_article
from tests.web.helpers import csrf_token, sign_in

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _sign_in(client: Any, database: Database, role: Role = Role.MANAGER) -> str:
    email = f"{role.value}@example.com"
    make_agent(database, email=email, name=f"{role.value} person", role=role)
    sign_in(client, email, PASSWORD)
    return csrf_token(client.get("/kb").text)


def _article(database: Database, article_id: int) -> Any:
    with database.unit_of_work() as session:
        return articles.get_article(session, article_id)


def test_agents_see_the_top_bar_link_and_published_articles(
    client: Any, database: Database
) -> None:
    # given
    make_article(database, title="Shipping times")
    make_article(database, title="Refund script", visibility="internal")
    make_article(database, title="Unfinished", state="draft")
    _sign_in(client, database, Role.AGENT)
    # when
    html = client.get("/kb").text
    # then
    assert 'href="/kb"' in client.get("/").text
    assert "Shipping times" in html and "Refund script" in html
    assert "Unfinished" not in html
    assert "Unfinished" in client.get("/kb?state=draft").text


def test_light_agents_never_see_drafts(client: Any, database: Database) -> None:
    draft = make_article(database, title="Unfinished", state="draft")
    _sign_in(client, database, Role.LIGHT_AGENT)
    assert "Unfinished" not in client.get("/kb?state=draft").text
    assert client.get(f"/kb/articles/{draft.id}").status_code == 404
    assert client.get("/kb/articles/new").status_code == 403


def test_search_page_finds_chinese_and_marks_it(client: Any, database: Database) -> None:
    make_article(database, title="申请退款流程", body="在订单页面点击申请退款。", language="zh-CN")
    _sign_in(client, database, Role.AGENT)
    html = client.get("/kb", params={"q": "退款"}).text
    assert "申请退款流程" in html
    assert "<mark>退款</mark>" in html


def test_preview_renders_sanitized_markdown(client: Any, database: Database) -> None:
    token = _sign_in(client, database)
    answer = client.post(
        "/kb/preview",
        data={"csrf_token": token, "body": "# Hi\n\n<img src=x onerror=alert(1)>"},
    )
    assert answer.status_code == 200
    assert "<h1>Hi</h1>" in answer.text
    assert "onerror" not in answer.text.replace("onerror=alert(1)&gt;", "")
    assert "<img" not in answer.text


def test_manager_writes_publishes_edits_and_restores(client: Any, database: Database) -> None:
    token = _sign_in(client, database)
    # when: written
    created = client.post(
        "/kb/articles",
        data={
            "csrf_token": token,
            "title": "Sizes",
            "body": "S fits 36\nM fits 38",
            "language": "en",
            "visibility": "public",
            "tags": "Fit, sizes",
            "review_by": "2027-01-31",
        },
    )
    assert created.status_code == 303
    article_id = int(created.headers["location"].rsplit("/", 1)[1])
    # when: published
    client.post(
        f"/kb/articles/{article_id}/state", data={"csrf_token": token, "state": "published"}
    )
    # when: edited
    client.post(
        f"/kb/articles/{article_id}",
        data={
            "csrf_token": token,
            "title": "Sizes",
            "body": "S fits 36\nM fits <38>",
            "tags": "fit, sizes",
            "review_by": "2027-01-31",
        },
    )
    # then
    page = client.get(f"/kb/articles/{article_id}/versions").text
    assert "<ins>M fits &lt;38&gt;</ins>" in page
    assert "<del>M fits 38</del>" in page
    restored = client.post(
        f"/kb/articles/{article_id}/versions/1/restore", data={"csrf_token": token}
    )
    assert restored.status_code == 303
    article = _article(database, article_id)
    assert (article.state, article.body, article.tags) == (
        "published",
        "S fits 36\nM fits 38",
        ["fit", "sizes"],
    )
    assert str(article.review_by) == "2027-01-31"


def test_agent_cannot_publish_and_nothing_changes(client: Any, database: Database) -> None:
    article = make_article(database, state="review")
    token = _sign_in(client, database, Role.AGENT)
    page = client.get(f"/kb/articles/{article.id}").text
    assert 'value="published"' not in page
    answer = client.post(
        f"/kb/articles/{article.id}/state", data={"csrf_token": token, "state": "published"}
    )
    assert answer.status_code == 403
    assert _article(database, article.id).state == "review"


def test_refused_form_keeps_what_was_typed(client: Any, database: Database) -> None:
    token = _sign_in(client, database)
    answer = client.post(
        "/kb/articles", data={"csrf_token": token, "title": " ", "body": "kept text"}
    )
    assert answer.status_code == 422
    assert "kept text" in answer.text


def test_write_the_chinese_version_links_translations(client: Any, database: Database) -> None:
    english = make_article(database, title="Invoices")
    token = _sign_in(client, database)
    assert "Write the Chinese version" in client.get(f"/kb/articles/{english.id}").text
    created = client.post(
        "/kb/articles",
        data={
            "csrf_token": token,
            "title": "发票",
            "body": "电子发票",
            "language": "zh_Hans",
            "translation_of": str(english.id),
        },
    )
    chinese_id = int(created.headers["location"].rsplit("/", 1)[1])
    assert "发票" in client.get(f"/kb/articles/{english.id}").text
    assert _article(database, chinese_id).translation_group == english.id


def test_image_upload_is_served_and_svg_refused(client: Any, database: Database) -> None:
    token = _sign_in(client, database)
    headers = {"X-CSRF-Token": token}
    answer = client.post("/kb/images", files={"image": ("size chart.png", PNG)}, headers=headers)
    assert answer.status_code == 200
    body = answer.json()
    assert body["markdown"] == f"![size chart]({body['url']})"
    served = client.get(body["url"])
    assert served.status_code == 200 and served.content == PNG
    assert served.headers["content-type"] == "image/png"
    svg = client.post("/kb/images", files={"image": ("x.svg", b"<svg/>")}, headers=headers)
    assert svg.status_code == 422


def test_review_list(client: Any, database: Database) -> None:
    from datetime import date

    make_article(database, title="Old policy", review_by=date(2020, 1, 1))
    make_article(database, title="Fresh", review_by=date(2999, 1, 1))
    _sign_in(client, database, Role.AGENT)
    html = client.get("/kb/review").text
    assert "Old policy" in html and "Fresh" not in html


def test_owner_is_the_writer_until_changed(client: Any, database: Database) -> None:
    token = _sign_in(client, database)
    assert "manager person</option>" in client.get("/kb/articles/new").text
    created = client.post(
        "/kb/articles", data={"csrf_token": token, "title": "Gift cards", "owner_id": ""}
    )
    article_id = int(created.headers["location"].rsplit("/", 1)[1])
    owner = _article(database, article_id).owner_id
    assert owner is not None
    client.post(f"/kb/articles/{article_id}", data={"csrf_token": token, "title": "Gift cards"})
    assert _article(database, article_id).owner_id is None
