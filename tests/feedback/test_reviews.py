"""Product reviews: marketplace CSV imports (run twice, each follow-up ticket once), the
WooCommerce review format and the generic webhook (signed), outcomes, 好评率 and 中差评率."""

import hashlib
import hmac
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from kefu.commerce import links
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.errors import InvalidInput
from kefu.feedback import review_import, reviews
from kefu.feedback.models import ProductReview
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.runtime import Runtime
from kefu.tickets import service as tickets
from kefu.tickets.messages import add_message
from kefu.tickets.models import Ticket
from kefu.tickets.schemas import MessageCreate
from tests.accounts.factories import PASSWORD, make_agent
from tests.commerce.actions_factories import make_order
from tests.commerce.actions_factories import make_store as make_plain_store
from tests.commerce.shop_factories import WEBHOOK_SECRET, body_of, make_store, signature
from tests.sla.factories import agent_actor
from tests.web.helpers import csrf_token, sign_in

NOW = utcnow()


def _days_ago(days: int) -> str:
    """A review date in the last weeks, so the rates of "the last 30 days" count it on any day
    the suite runs."""
    return (NOW - timedelta(days=days)).strftime("%Y-%m-%d")


TAOBAO = (
    "评价ID,订单编号,宝贝名称,评价结果,评价内容,买家昵称,评价时间\n"
    f"9001,1001,T恤,好评,很好,小王,{_days_ago(4)} 10:00:00\n"
    f"9002,1001,马克杯,差评,杯子碎了,小王,{_days_ago(3)} 11:00:00\n"
    f"9003,5555,T恤,中评,一般般,阿李,{_days_ago(2)} 12:00:00\n"
    f"9004,,T恤,好评,不错,老张,{_days_ago(1)} 13:00:00\n"
    f"9005,,T恤,超赞,?,老张,{_days_ago(1)} 13:00:00\n"
)
JD = "评论ID,商品名称,评分,评论内容,用户昵称,评论时间\nj1,耳机,2,有杂音,jd_user,2026/11/20 10:00\n"


def _import(database: Database, store_id: int, data: bytes, platform: str = "taobao") -> Any:
    with database.unit_of_work(actor=Actor.system()) as session:
        return review_import.import_csv(
            session, store_id=store_id, platform=platform, data=data, now=NOW
        )


def _ticket_count(database: Database) -> int:
    with database.sessions() as session:
        return session.scalar(select(func.count(Ticket.id))) or 0


def test_taobao_import_twice_opens_each_follow_up_once(database: Database) -> None:
    # given: order 1001 of Emily in the store
    store_id = make_plain_store(database)
    shop = make_order(database, store_id=store_id, number="1001", email="emily@example.com")
    # when
    first, problems = _import(database, store_id, TAOBAO.encode())
    tickets_after_first = _ticket_count(database)
    second, _ = _import(database, store_id, TAOBAO.encode("gb18030"))
    # then
    assert dict(first) == {"created": 4, "follow_ups": 2, "refused": 1}
    assert problems == ["line 6: unknown review grade: 超赞"]
    assert dict(second) == {"updated": 4, "follow_ups": 0, "refused": 1}
    assert _ticket_count(database) == tickets_after_first == 2
    with database.sessions() as session:
        rows = {r.external_id: r for r in session.scalars(select(ProductReview)).all()}
        broken = tickets.get_ticket(session, rows["9002"].follow_up_ticket_id)
        tags = tickets.tags_of(session, [broken.id])[broken.id]
        linked = links.linked_order_ids(session, broken.id)
    assert {k: r.grade for k, r in rows.items()} == {
        "9001": "good",
        "9002": "bad",
        "9003": "neutral",
        "9004": "good",
    }
    assert rows["9001"].follow_up_ticket_id is None
    assert broken.subject == "Review 差评: 马克杯"
    assert broken.requester_id == rows["9002"].customer_id
    assert linked == [shop.order_id]
    assert sorted(tags) == ["review-follow-up", "taobao"]


def test_jd_scores_and_a_column_mapping(database: Database) -> None:
    store_id = make_plain_store(database)
    counts, _ = _import(database, store_id, JD.encode("gb18030"), platform="jd")
    mapped = "id,when,stars,text\nx1,2026-11-20,5,great\n"
    with database.unit_of_work(actor=Actor.system()) as session:
        custom, _ = review_import.import_csv(
            session,
            store_id=store_id,
            platform="csv",
            data=mapped.encode(),
            now=NOW,
            mapping={"external_id": "id", "reviewed_at": "when", "rating": "stars", "body": "text"},
        )
        with pytest.raises(InvalidInput, match="no column 'missing'"):
            review_import.import_csv(
                session,
                store_id=store_id,
                platform="csv",
                data=mapped.encode(),
                now=NOW,
                mapping={"external_id": "missing"},
            )
    assert dict(counts) == {"created": 1, "follow_ups": 1}
    assert dict(custom) == {"created": 1, "follow_ups": 0}


WOO_REVIEW = {
    "id": 22,
    "date_created": "2026-11-30T17:59:17",
    "date_created_gmt": "2026-11-30T20:59:17",
    "product_id": 31,
    "product_name": "V-Neck T-Shirt",
    "product_permalink": "https://shop.example/product/v-neck-tee/",
    "status": "approved",
    "reviewer": "John Doe",
    "reviewer_email": "john.doe@example.com",
    "review": "<p>Shrank after one wash.</p>\n",
    "rating": 2,
    "verified": True,
}


def test_woocommerce_reviews_by_signed_webhook(client: Any, runtime: Runtime) -> None:
    # given
    store = make_store(runtime.database, platform="woocommerce")
    body = body_of([WOO_REVIEW, {**WOO_REVIEW, "id": 23, "rating": 5, "review": "Lovely"}])
    url = f"/api/v1/webhooks/reviews/woocommerce/{store.id}"
    # when
    forged = client.post(url, content=body, headers={"X-WC-Webhook-Signature": "bad"})
    first = client.post(url, content=body, headers={"X-WC-Webhook-Signature": signature(body)})
    again = client.post(url, content=body, headers={"X-WC-Webhook-Signature": signature(body)})
    # then
    assert forged.status_code == 401
    assert first.json() == {"created": 2, "updated": 0, "follow_ups": 1}
    assert again.json() == {"created": 0, "updated": 2, "follow_ups": 0}
    with runtime.database.sessions() as session:
        review = session.scalars(select(ProductReview).where(ProductReview.rating == 2)).one()
        ticket = tickets.get_ticket(session, review.follow_up_ticket_id)
    assert (review.body, review.reviewer_email) == (
        "Shrank after one wash.",
        "john.doe@example.com",
    )
    assert ticket.subject == "Review 2★: V-Neck T-Shirt"


def _hex(body: bytes) -> str:
    return "sha256=" + hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()


def test_generic_webhook_takes_a_grade_and_refuses_bad_json(client: Any, runtime: Runtime) -> None:
    store = make_store(runtime.database, platform="woocommerce")
    url = f"/api/v1/webhooks/reviews/{store.id}"
    good = body_of({"id": "r1", "grade": "中评", "body": "一般", "created_at": "2026-11-30"})
    bad = body_of({"id": "r2", "rating": 9, "created_at": "2026-11-30"})
    forged = client.post(url, content=good, headers={"X-Kefu-Signature": signature(good)})
    done = client.post(url, content=good, headers={"X-Kefu-Signature": _hex(good)})
    refused = client.post(url, content=bad, headers={"X-Kefu-Signature": _hex(bad)})
    assert forged.status_code == 401
    assert done.json() == {"created": 1, "updated": 0, "follow_ups": 1}
    assert refused.status_code == 422
    with runtime.database.sessions() as session:
        assert session.scalar(select(func.count(ProductReview.id))) == 1


def test_outcomes_and_rates_against_a_hand_count(client: Any, runtime: Runtime) -> None:
    # given: 4 readable Taobao reviews: 2 good, 1 neutral, 1 bad (2 follow-ups)
    database = runtime.database
    store_id = make_plain_store(database)
    _import(database, store_id, TAOBAO.encode())
    make_agent(database, email="ann@example.com", name="Ann")
    sign_in(client, "ann@example.com", PASSWORD)
    runtime.clock = lambda: NOW + timedelta(days=1)
    page = client.get("/reviews")
    with database.sessions() as session:
        bad = session.scalars(select(ProductReview).where(ProductReview.grade == "bad")).one()
    # when: the agent records that the customer updated the review
    saved = client.post(
        f"/reviews/{bad.id}/outcome",
        data={
            "csrf_token": csrf_token(page.text),
            "outcome": "review_updated",
            "public_reply": "已为您补发",
        },
    )
    refused = client.post(
        f"/reviews/{bad.id}/outcome",
        data={"csrf_token": csrf_token(page.text), "outcome": "forgotten"},
    )
    # then: 好评率 2/4, 中差评率 2/4, recovered 1/2
    assert page.status_code == 200 and "杯子碎了" in page.text
    assert saved.status_code == 303 and refused.status_code == 422
    with database.sessions() as session:
        row = session.get_one(ProductReview, bad.id)
        rates = reviews.review_rates(
            session, since=NOW - timedelta(days=30), until=NOW + timedelta(days=1)
        )
    assert (row.outcome, row.public_reply) == ("review_updated", "已为您补发")
    assert rates == {
        "reviews": 4,
        "good_rate": 50.0,
        "negative_rate": 50.0,
        "recovered_rate": 50.0,
        "hours_to_follow_up": None,
    }


def test_time_to_first_follow_up_counts_the_agents_first_reply(runtime: Runtime) -> None:
    # given: a 差评 imported five hours ago, its follow-up ticket
    database = runtime.database
    store_id = make_plain_store(database)
    with database.unit_of_work(actor=Actor.system()) as session:
        review_import.import_csv(
            session,
            store_id=store_id,
            platform="taobao",
            data=TAOBAO.encode(),
            now=utcnow() - timedelta(hours=5),
        )
    with database.sessions() as session:
        bad = session.scalars(select(ProductReview).where(ProductReview.grade == "bad")).one()
    ann = agent_actor(database)
    # when: a note (not a reply), then the agent's reply, then another reply
    for kind in ("note", "reply", "reply"):
        with database.unit_of_work(actor=ann) as session:
            add_message(
                session,
                actor=ann,
                ticket_id=bad.follow_up_ticket_id,
                data=MessageCreate(kind=kind, body_text="您好，我们马上为您补发。"),
            )
        dispatch_due(database)
    # then
    with database.sessions() as session:
        first = session.get_one(ProductReview, bad.id).first_follow_up_at
        rates = reviews.review_rates(
            session, since=NOW - timedelta(days=30), until=NOW + timedelta(days=1)
        )
    assert first is not None
    assert rates["hours_to_follow_up"] == 5.0
