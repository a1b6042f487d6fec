"""The search box: English and Chinese text, addresses and numbers, operators, pages."""

import pytest

from kefu.db import Database
from kefu.errors import InvalidInput
from kefu.tickets.search import parse_search, search_tickets
from tests.tickets.read_factories import NOW, add_agent, add_customer, add_ticket, all_pages


@pytest.fixture
def shop(database: Database) -> dict:
    with database.unit_of_work() as s:
        ann = add_agent(s, name="Ann Agent")
        emily = add_customer(s, name="Emily Chen", email="emily.chen@example.com")
        wei = add_customer(s, name="王伟", email="wei@example.cn", phone="+8613800138000")
        t = {
            "order": add_ticket(
                s,
                requester=emily,
                subject="Order question",
                messages=["Hi! Where is my order #10234? It was due last week."],
                updated=1,
                assignee=ann,
                tags=["vip"],
            ),
            "words": add_ticket(
                s,
                requester=emily,
                subject="Jacket size",
                messages=["My order is fine, but where do I send the jacket back? It is big."],
                updated=2,
                status="pending",
                created=800,
            ),
            "refund": add_ticket(
                s,
                requester=wei,
                subject="退款申请",
                messages=["你好，我想申请退款，快递一直没有到。"],
                updated=3,
                priority="urgent",
            ),
            "return": add_ticket(
                s,
                requester=wei,
                subject="退货",
                messages=["衣服太大了，请问怎么退货？联系我 13800138000"],
                updated=4,
                status="solved",
            ),
            "deleted": add_ticket(
                s, requester=emily, messages=["where is my order"], deleted_at=NOW, updated=0.5
            ),
        }
        t["merged"] = add_ticket(
            s,
            requester=emily,
            messages=["where is my order"],
            merged_into_id=t["order"].id,
            updated=0.2,
        )
    return {"ann": ann, "emily": emily, "names": {v.id: k for k, v in t.items()}}


def found(database: Database, shop: dict, query: str) -> list[str]:
    with database.sessions() as s:
        page = search_tickets(s, actor=shop["ann"], query=query, now=NOW)
    return [shop["names"][row.ticket.id] for row in page.items]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("where is my order", ["order", "words"]),
        ('"where is my order"', ["order"]),
        ("WHERE is My ORDER", ["order", "words"]),
        ("10234", ["order"]),
        ("jack*", ["words"]),
        ("jacke", []),
        ("退款", ["refund"]),
        ("申请退款", ["refund"]),
        ("我想申请退款", ["refund"]),
        ("退", ["refund", "return"]),
        ("退货 衣服", ["return"]),
        ("快递没到", []),
        ("王伟", ["refund", "return"]),
        ("emily", ["order", "words"]),
        ("emily.chen@example.com", ["order", "words"]),
        ("EMILY.CHEN@EXAMPLE.COM", ["order", "words"]),
        ("example.cn", ["refund", "return"]),
        ("wei@example.cn 衣服", ["return"]),
        ("138 0013 8000", ["refund", "return"]),
        ("+86 138-0013-8000", ["refund", "return"]),
    ],
)
def test_text_search(database: Database, shop: dict, query: str, expected: list[str]):
    assert found(database, shop, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status:open", ["order", "refund"]),
        ("status:open,pending order", ["order", "words"]),
        ("status:solved 退货", ["return"]),
        ("priority:urgent", ["refund"]),
        ("tag:vip", ["order"]),
        ("-tag:vip order", ["words"]),
        ("assignee:me", ["order"]),
        ("assignee:none status:open", ["refund"]),
        ("is:unassigned 退", ["refund", "return"]),
        ("from:Emily.Chen@example.com", ["order", "words"]),
        ("from:nobody@example.com", []),
        ("created<2026-02-01", ["words"]),
        ("created>2026-02-01 order", ["order"]),
        ("updated>=2026-03-02T09:30:00+00:00", ["order", "words"]),
        ("channel:chat", []),
        ("type:question", []),
    ],
)
def test_operators(database: Database, shop: dict, query: str, expected: list[str]):
    assert found(database, shop, query) == expected


def test_requester_operator_takes_a_customer_id(database: Database, shop: dict):
    assert found(database, shop, f"requester:{shop['emily'].id} jacket") == ["words"]


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("foo:bar refund", "unknown search operator “foo:bar”"),
        ("-status:open", "unknown search operator “-status:open”"),
        ("size>10", "unknown search operator “size>10”"),
        ("status:opn", "unknown status “opn”; use one of new, open, pending, on_hold"),
        ("priority:asap", "unknown priority “asap”"),
        ("assignee:bob", "assignee: takes a number, not “bob”"),
        ("created>yesterday", "created> needs a date like 2026-01-31"),
        ("from:bob", "from: takes an e-mail address"),
        ("is:starred", "unknown is:starred"),
        ("", "type words or operators to search"),
        ("   ", "type words or operators to search"),
        ("?!", "nothing to search for"),
    ],
)
def test_bad_queries_say_why(database: Database, shop: dict, query: str, reason: str):
    with pytest.raises(InvalidInput) as refused:
        found(database, shop, query)
    assert reason in refused.value.message


def test_urls_and_times_are_text_not_operators():
    assert parse_search("see https://shop.example/orders at 12:30").text == (
        "see https://shop.example/orders at 12:30"
    )


def test_search_pages_newest_updated_first(database: Database, shop: dict):
    with database.unit_of_work() as s:
        lei = add_customer(s, name="Li Lei")
        made = [add_ticket(s, requester=lei, subject="parcel", updated=h).id for h in (5, 6, 7)]
    with database.sessions() as s:
        pages = all_pages(
            lambda cursor, size: search_tickets(
                s, actor=shop["ann"], query="parcel", cursor=cursor, limit=size, now=NOW
            ),
            limit=2,
        )
    assert pages == made
