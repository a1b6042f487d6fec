"""The help-center assistant through its JSON API: answers from published articles with the
link, refuses order facts before verification, tells the tracking status after it, hands over
on request or when no article knows, and counts containment and hand-over."""

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from kefu.ai.assistant.report import assistant_report
from kefu.db import Database
from kefu.kit.clock import utcnow
from kefu.permissions import Role
from kefu.tickets.models import Message, Ticket
from tests.ai.assistant_factories import make_shop

URL = "/helpcenter/assistant/messages"


def _ask(client: Any, message: str, conversation: str | None = None, language: str = "en"):
    body = {"site": "lumen", "language": language, "message": message,
            "conversation": conversation}  # fmt: skip
    response = client.post(URL, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def _tickets(database: Database) -> list[tuple[str, str, list[str]]]:
    with database.sessions() as session:
        rows = session.execute(
            select(Ticket.subject, Message.body_text, Message.details)
            .join(Message, Message.ticket_id == Ticket.id)
            .order_by(Message.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def test_a_question_an_article_answers_gets_its_passage_and_link(
    client: Any, database: Database
) -> None:
    # given
    make_shop(database)
    # when
    answer = _ask(client, "How long does delivery to the UK take?")
    # then
    [reply] = answer["replies"]
    assert reply["kind"] == "article"
    assert reply["article"] == {
        "title": "Shipping times",
        "url": "/help/lumen/en/articles/shipping-times",
    }
    assert "3 to 5 working days" in reply["body"]
    assert answer["status"] == "open"
    assert _tickets(database) == []


def test_a_chinese_question_is_answered_from_the_chinese_article(
    client: Any, database: Database
) -> None:
    make_shop(database)
    answer = _ask(client, "怎么申请退款？", language="zh-CN")
    [reply] = answer["replies"]
    assert reply["kind"] == "article"
    assert reply["article"]["url"] == "/help/lumen/zh-CN/articles/tuikuan"
    assert "三十天" in reply["body"]


def test_a_question_no_article_covers_is_not_answered_but_handed_over(
    client: Any, database: Database
) -> None:
    # given: the only gift-card article is a draft
    make_shop(database)
    # when
    answer = _ask(client, "Do your gift cards expire?")
    # then
    kinds = [r["kind"] for r in answer["replies"]]
    assert kinds == ["unknown", "handover"]
    assert answer["replies"][0]["body"] == "I don't know, let me get a colleague."
    assert "never expire" not in str(answer)
    assert answer["status"] == "handed_over"
    [(subject, body, details)] = _tickets(database)
    assert subject == "Help-center assistant: Do your gift cards expire?"
    assert body.startswith("Summary\nWants: Do your gift cards expire?")
    assert details["assistant"]["reason"] == "unknown"


def test_order_facts_need_the_order_number_and_its_email(client: Any, database: Database) -> None:
    # given
    make_shop(database)
    # when: asked without proof, then with the wrong email, then with the right one
    first = _ask(client, "Where is my order 1001?")
    token = first["conversation"]
    wrong = _ask(client, "mallory@example.com", token)
    right = _ask(client, "Sorry, it is emily@example.com", token)
    # then
    assert [r["kind"] for r in first["replies"]] == ["verify"]
    assert first["replies"][0]["body"] == "Thanks. And the email address you used for order 1001?"
    assert [r["kind"] for r in wrong["replies"]] == ["no_match"]
    for refused in (first, wrong):
        assert "RM123456789GB" not in str(refused) and "transit" not in str(refused).lower()
    [reply] = right["replies"]
    assert reply["kind"] == "order"
    assert "Order 1001, placed 2026-11-01: paid, shipped." in reply["body"]
    assert "Shipment RM123456789GB (Royal Mail): In transit." in reply["body"]
    assert "Leeds: Arrived at the sorting centre." in reply["body"]
    # a later question about the same order needs no new proof
    again = _ask(client, "Can I return my order?", token)
    assert again["replies"][0]["kind"] == "order"
    assert "30-day return window" in again["replies"][0]["body"]


def test_asking_for_a_person_hands_over_with_the_summary(client: Any, database: Database) -> None:
    # given
    make_shop(database)
    first = _ask(client, "How long does delivery to the UK take?")
    # when
    answer = _ask(client, "I want a human", first["conversation"])
    after = _ask(client, "My email is emily@example.com", first["conversation"])
    # then
    assert [r["kind"] for r in answer["replies"]] == ["handover", "handover"]
    assert answer["replies"][1]["body"].startswith("A colleague has your conversation (ticket #")
    assert [r["kind"] for r in after["replies"]] == ["relayed"]
    [(_subject, body, details), (_s, relayed, _d)] = _tickets(database)
    assert "The assistant offered: Shipping times" in body
    assert "Customer: I want a human" in body
    assert details["assistant"]["reason"] == "asked"
    assert relayed == "My email is emily@example.com"


def test_zhuan_ren_gong_hands_over_in_chinese(client: Any, database: Database) -> None:
    make_shop(database)
    answer = _ask(client, "转人工", language="zh-CN")
    assert answer["status"] == "handed_over"
    assert len(_tickets(database)) == 1


def test_containment_and_handover_rates(client: Any, database: Database) -> None:
    # given: one answered, one handed over, one that never got an answer
    make_shop(database)
    _ask(client, "How long does delivery to the UK take?")
    _ask(client, "I want a human")
    _ask(client, "Where is my order?")
    # when
    with database.sessions() as session:
        now = utcnow()
        found = assistant_report(session, since=now - timedelta(days=1), until=now + timedelta(1))
    # then
    assert (found.conversations, found.contained, found.handed_over) == (3, 1, 1)
    assert found.by_reason == {"asked": 1, "unknown": 0, "verification": 0, "failure": 0}
    assert round(found.containment_rate or 0, 3) == 0.333


def test_bad_input_is_refused_with_a_reason(client: Any, database: Database) -> None:
    make_shop(database)
    unknown_site = client.post(URL, json={"site": "nope", "language": "en", "message": "hi"})
    empty = client.post(URL, json={"site": "lumen", "language": "en", "message": "   "})
    language = client.post(URL, json={"site": "lumen", "language": "fr", "message": "hi"})
    assert (unknown_site.status_code, empty.status_code, language.status_code) == (404, 422, 404)
    with database.sessions() as session:
        from kefu.ai.assistant.models import AssistantConversation

        assert session.scalars(select(AssistantConversation)).all() == []


def test_the_report_page_shows_the_rates_to_managers_only(client: Any, database: Database) -> None:
    # given
    from tests.tickets.test_pages import signed_in

    make_shop(database)
    _ask(client, "How long does delivery to the UK take?")
    _ask(client, "转人工", language="zh-CN")
    # when
    signed_in(client, database, role=Role.AGENT)
    refused = client.get("/reports/assistant")
    client.cookies.clear()
    signed_in(client, database, role=Role.MANAGER)
    shown = client.get("/reports/assistant?days=7")
    bad = client.get("/reports/assistant?days=5")
    hub = client.get("/reports")
    # then
    assert refused.status_code == 403
    assert shown.status_code == 200
    assert '<dd class="assistant-containment">50.0% (1)</dd>' in shown.text
    assert '<dd class="assistant-handover">50.0% (1)</dd>' in shown.text
    assert bad.status_code == 422
    assert 'href="/reports/assistant"' in hub.text


def test_over_thirty_messages_a_minute_from_one_address_are_refused(
    client: Any, database: Database
) -> None:
    make_shop(database)
    body = {"site": "lumen", "language": "en", "message": "thanks"}
    statuses = [client.post(URL, json=body).status_code for _ in range(31)]
    assert statuses == [200] * 30 + [429]


def test_the_box_asks_whether_the_assistant_is_on(client: Any, database: Database) -> None:
    assert client.get("/helpcenter/assistant/config").json() == {"on": True}


def test_a_change_to_the_order_is_left_to_a_colleague(client: Any, database: Database) -> None:
    make_shop(database)
    first = _ask(client, "Please cancel order 1001, emily@example.com")
    assert [r["kind"] for r in first["replies"]] == ["order", "cannot_change"]
    assert first["replies"][1]["body"].startswith("I can only read orders, not change them.")
    assert first["status"] == "open" and _tickets(database) == []
