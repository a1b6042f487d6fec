"""The knowledge-base JSON API: list, search, get, create, update, state changes, and
problem+json refusals."""

from typing import Any

from kefu.db import Database
from kefu.permissions import Role
from tests.accounts.factories import make_agent
from tests.api.helpers import token_for
from tests.kb.factories import make_article


def _token(client: Any, database: Database, role: Role = Role.MANAGER) -> dict[str, str]:
    return token_for(database, make_agent(database, email=f"{role.value}@example.com", role=role))


def test_create_update_publish_and_search(client: Any, database: Database) -> None:
    auth = _token(client, database)
    created = client.post(
        "/api/v1/kb/articles",
        json={"title": "退换货政策", "body": "七天无理由**退换货**。", "language": "zh-CN"},
        headers=auth,
    )
    assert created.status_code == 201
    article = created.json()
    assert (article["state"], article["slug"]) == ("draft", str(article["id"]))
    assert "<strong>退换货</strong>" in article["body_html"]
    changed = client.patch(
        f"/api/v1/kb/articles/{article['id']}", json={"tags": ["Returns"]}, headers=auth
    )
    assert changed.json()["tags"] == ["returns"]
    published = client.post(
        f"/api/v1/kb/articles/{article['id']}/state", json={"state": "published"}, headers=auth
    )
    assert published.json()["state"] == "published"
    hits = client.get("/api/v1/kb/search", params={"q": "换货"}, headers=auth).json()
    assert [h["id"] for h in hits] == [article["id"]]
    assert client.get(f"/api/v1/kb/articles/{article['id']}", headers=auth).status_code == 200


def test_refusals_are_problem_json(client: Any, database: Database) -> None:
    archived = make_article(database, state="archived")
    draft = make_article(database, state="draft", title="Draft")
    auth = _token(client, database, Role.AGENT)
    hidden = client.post(
        f"/api/v1/kb/articles/{archived.id}/state", json={"state": "review"}, headers=auth
    )
    forbidden = client.post(
        f"/api/v1/kb/articles/{draft.id}/state", json={"state": "published"}, headers=auth
    )
    invalid = client.post(
        "/api/v1/kb/articles", json={"title": "x", "language": "fr"}, headers=auth
    )
    missing = client.get("/api/v1/kb/articles/999999", headers=auth)
    no_store = client.post(
        "/api/v1/kb/articles", json={"title": "x", "store_id": 999999}, headers=auth
    )
    assert (no_store.status_code, no_store.json()["detail"]) == (422, "store 999999 does not exist")
    assert [r.status_code for r in (hidden, forbidden, invalid, missing)] == [404, 403, 422, 404]
    assert forbidden.headers["content-type"] == "application/problem+json"
    manager = _token(client, database, Role.MANAGER)
    conflict = client.post(
        f"/api/v1/kb/articles/{archived.id}/state", json={"state": "review"}, headers=manager
    )
    assert (conflict.status_code, conflict.json()["code"]) == (409, "conflict")


def test_list_by_state_and_language(client: Any, database: Database) -> None:
    make_article(database, title="A")
    make_article(database, title="B", state="draft")
    make_article(database, title="发票", language="zh-CN")
    auth = _token(client, database)
    titles = [a["title"] for a in client.get("/api/v1/kb/articles", headers=auth).json()]
    drafts = client.get("/api/v1/kb/articles", params={"state": "draft"}, headers=auth).json()
    english = client.get(
        "/api/v1/kb/articles", params={"language": "en", "state": "published"}, headers=auth
    ).json()
    assert sorted(titles) == ["A", "B", "发票"]
    assert [a["title"] for a in drafts] == ["B"]
    assert [a["title"] for a in english] == ["A"]
