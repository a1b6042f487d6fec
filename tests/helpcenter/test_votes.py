"""The "Was this helpful?" vote: one vote per visitor and article, a comment that reaches the
article's owner as a notification, CSRF and rate limits for anonymous visitors."""

import re
from typing import Any

from sqlalchemy import select

from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.kb.helpcenter.models import HelpCenterVote
from kefu.tickets.models import Notification
from tests.accounts.factories import make_agent
from tests.helpcenter.factories import make_article, make_brand
from tests.web.helpers import csrf_token

ARTICLE = "/help/lumen/en/articles/shipping-times"


def _votes(database: Database) -> list[tuple[bool, str]]:
    with database.sessions() as session:
        rows = session.scalars(select(HelpCenterVote).order_by(HelpCenterVote.id))
        return [(v.is_helpful, v.comment) for v in rows]


def _setup(database: Database, owner_id: int | None = None) -> int:
    store_id = make_brand(database)
    return make_article(database, store_id=store_id, slug="shipping-times", owner_id=owner_id)


def test_a_visitor_votes_once_per_article(client: Any, database: Database) -> None:
    # given
    _setup(database)
    token = csrf_token(client.get(ARTICLE).text)
    # when
    first = client.post(ARTICLE + "/vote", data={"csrf_token": token, "helpful": "yes"})
    second = client.post(ARTICLE + "/vote", data={"csrf_token": token, "helpful": "no"})
    # then
    assert first.status_code == 303 and second.status_code == 303
    assert _votes(database) == [(True, "")]
    assert "Thanks for your feedback!" in client.get(ARTICLE).text


def test_a_client_without_cookies_still_votes_once(client: Any, database: Database) -> None:
    _setup(database)
    token = csrf_token(client.get(ARTICLE).text)
    for answer in ("no", "yes"):
        client.cookies.delete("kefu_hc_visitor")
        client.post(ARTICLE + "/vote", data={"csrf_token": token, "helpful": answer})
    assert _votes(database) == [(False, "")]


def test_a_vote_without_the_csrf_token_is_refused(client: Any, database: Database) -> None:
    _setup(database)
    client.get(ARTICLE)
    response = client.post(ARTICLE + "/vote", data={"helpful": "yes"})
    assert response.status_code == 403
    assert _votes(database) == []


def test_a_comment_reaches_the_articles_owner(client: Any, database: Database) -> None:
    # given
    owner = make_agent(database, email="owner@example.com")
    _setup(database, owner_id=owner.id)
    token = csrf_token(client.get(ARTICLE).text)
    client.post(ARTICLE + "/vote", data={"csrf_token": token, "helpful": "no"})
    # when
    response = client.post(
        ARTICLE + "/comment",
        data={"csrf_token": token, "text": "It does not say how long customs takes."},
        headers={"hx-request": "true"},
    )
    dispatch_due(database)
    # then
    assert "passed on to the team" in response.text
    assert _votes(database) == [(False, "It does not say how long customs takes.")]
    with database.sessions() as session:
        notices = list(session.scalars(select(Notification)))
    assert [(n.agent_id, n.kind, n.ticket_id, n.actor_name) for n in notices] == [
        (owner.id, "article_feedback", None, "Shipping times")
    ]


def test_votes_on_an_unpublished_article_are_not_found(client: Any, database: Database) -> None:
    store_id = make_brand(database)
    make_article(database, store_id=store_id, slug="secret", visibility="internal")
    make_article(database, store_id=store_id, slug="shipping-times")
    token = csrf_token(client.get(ARTICLE).text)
    response = client.post(
        "/help/lumen/en/articles/secret/vote", data={"csrf_token": token, "helpful": "yes"}
    )
    assert response.status_code == 404
    assert _votes(database) == []


def test_too_many_votes_from_one_address_are_throttled(client: Any, database: Database) -> None:
    _setup(database)
    token = csrf_token(client.get(ARTICLE).text)
    statuses = [
        client.post(ARTICLE + "/vote", data={"csrf_token": token, "helpful": "yes"}).status_code
        for _ in range(31)
    ]
    assert statuses[:30] == [303] * 30
    assert statuses[30] == 429
    assert re.search(r"Too many requests", client.post(
        ARTICLE + "/vote", data={"csrf_token": token, "helpful": "yes"}
    ).text)  # fmt: skip
