"""Suggested replies (kefu.ai.suggest): the right source wins for clear cases, a past answer
speaks of this customer's latest order, a value the ticket lacks stays marked, internal notes
and other brands' conversations are never suggested, a switched-off feature does nothing."""

from datetime import timedelta
from typing import Any

import pytest

from kefu.ai import switches
from kefu.ai.suggest import service
from kefu.ai.suggest.fill import as_template
from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.permissions import Role
from tests.accounts.factories import make_agent
from tests.ai.suggest_factories import (
    NOW,
    Desk,
    customer_writes,
    make_desk,
    make_macro,
    settle,
    shipped_order,
    solved_conversation,
)

SYSTEM = Actor.system()
TRACKING_ANSWER = (
    "Hi Olga, your order 2002 left our warehouse with Royal Mail. The tracking number is "
    "RM999999999GB, it should arrive within 3 working days.\n\nBest regards,\nSam"
)


def _suggest(database: Database, desk: Desk, ticket_id: int) -> list[service.Suggestion]:
    with database.unit_of_work(actor=desk.agent) as session:
        return service.suggest(
            session,
            actor=desk.agent,
            ticket_id=ticket_id,
            base_url="https://help.example.com",
            now=NOW,
        )


def _where_is_my_parcel(database: Database, desk: Desk) -> tuple[int, int]:
    shipped_order(
        database,
        store_id=desk.store_id,
        number="2002",
        email="old@example.com",
        name="Olga Old",
        tracking="RM999999999GB",
    )
    return solved_conversation(
        database,
        agent=desk.agent,
        store_id=desk.store_id,
        subject="Where is my parcel?",
        question="Hello, I ordered last week and my parcel still has not arrived. Where is it?",
        answer=TRACKING_ANSWER,
        note="Checked the carrier: label printed, all fine.",
    )


def test_a_past_answer_is_suggested_with_this_customers_latest_order(database: Database) -> None:
    # given: a solved "where is my parcel" conversation about another customer's order
    desk = make_desk(database)
    _ticket, reply_id = _where_is_my_parcel(database, desk)
    shipped_order(
        database,
        store_id=desk.store_id,
        number="1001",
        tracking="RM111111111GB",
        placed_at=NOW - timedelta(days=20),
    )
    shipped_order(
        database,
        store_id=desk.store_id,
        number="1002",
        tracking="RM123456789GB",
        placed_at=NOW - timedelta(days=5),
    )
    ticket_id = customer_writes(
        database,
        store_id=desk.store_id,
        subject="parcel",
        text="My parcel has not arrived yet, where is it?",
    )
    settle(database)
    # when
    found = _suggest(database, desk, ticket_id)
    # then: the past answer first, in Emily's words: her newest order, her tracking number
    top = found[0]
    assert (top.rank, top.source, top.source_id) == (1, "reply", reply_id)
    assert top.text.startswith("Hi Emily, your order 1002 left our warehouse")
    assert "RM123456789GB" in top.text and "2002" not in top.text and "Olga" not in top.text
    assert "RM999999999GB" not in top.text and "Checked the carrier" not in top.text
    assert "Best regards" not in top.text  # the signature is left out
    assert top.missing == []


def test_a_value_the_ticket_lacks_stays_marked(database: Database) -> None:
    # given: the same past answer, but this customer's order has not shipped
    desk = make_desk(database)
    _where_is_my_parcel(database, desk)
    shipped_order(database, store_id=desk.store_id, number="1003", tracking=None)
    ticket_id = customer_writes(
        database,
        store_id=desk.store_id,
        subject="parcel",
        text="My parcel has not arrived yet, where is it?",
    )
    settle(database)
    # when
    top = _suggest(database, desk, ticket_id)[0]
    # then: nothing invented: the tracking number stays a visible gap
    assert top.source == "reply"
    assert "order 1003" in top.text and "[order.tracking_number]" in top.text
    assert top.missing == ["order.tracking_number"]


def test_a_matching_macro_wins_and_is_filled_in(database: Database) -> None:
    # given
    desk = make_desk(database)
    make_macro(
        database,
        name="Cancel an order",
        en="Hi {{ customer.first_name }}, I have cancelled order {{ order.number }}; "
        "you will not be charged.",
    )
    make_macro(database, name="Invoice", en="Here is the invoice you asked for.")
    shipped_order(database, store_id=desk.store_id, number="1004", tracking=None)
    ticket_id = customer_writes(
        database,
        store_id=desk.store_id,
        subject="Cancel",
        text="Please cancel my order, I ordered the wrong size.",
    )
    settle(database)
    # when
    top = _suggest(database, desk, ticket_id)[0]
    # then
    assert top.source == "macro" and top.title == "Cancel an order"
    assert top.text == "Hi Emily, I have cancelled order 1004; you will not be charged."


def test_an_article_wins_for_a_policy_question_with_its_link(
    client: Any, database: Database
) -> None:
    # given (a request made: the help center's directory of brands is then known)
    desk = make_desk(database)
    client.get("/login")
    make_macro(database, name="Invoice", en="Here is the invoice you asked for.")
    ticket_id = customer_writes(
        database,
        store_id=desk.store_id,
        subject="Returns",
        text="Can I return unworn items and get a refund?",
    )
    settle(database)
    # when
    top = _suggest(database, desk, ticket_id)[0]
    # then
    assert (top.source, top.source_id) == ("article", desk.refunds_article)
    assert "within 30 days of delivery" in top.text
    assert top.url == "https://help.example.com/help/lumen/en/articles/refunds"
    assert top.text.endswith("\n\nRefunds and returns: " + top.url)


def test_other_brands_conversations_and_other_agents_macros_are_never_suggested(
    database: Database,
) -> None:
    # given: the only close answer is another brand's; the only close macro someone's own
    desk = make_desk(database)
    other = make_desk_store(database)
    solved_conversation(
        database,
        agent=desk.agent,
        store_id=other,
        subject="Parcel",
        question="My parcel has not arrived yet, where is it?",
        answer="Your parcel is with DHL, it arrives tomorrow.",
    )
    colleague = make_agent(database, email="kim@example.com", name="Kim", role=Role.AGENT)
    kim = Actor(kind="agent", name="Kim", agent_id=colleague.id, role="agent")
    make_macro(
        database,
        actor=kim,
        personal=True,
        name="Parcel not arrived",
        en="Your parcel has not arrived? Kim will look.",
    )
    ticket_id = customer_writes(
        database,
        store_id=desk.store_id,
        subject="parcel",
        text="My parcel has not arrived yet, where is it?",
    )
    settle(database)
    # when
    found = _suggest(database, desk, ticket_id)
    # then
    assert all("DHL" not in s.text and "Kim" not in s.text for s in found)


def make_desk_store(database: Database) -> int:
    from tests.helpcenter.factories import make_brand

    return make_brand(database, name="Other", slug="other")


def test_switched_off_suggestions_do_nothing(database: Database) -> None:
    # given
    desk = make_desk(database)
    ticket_id = customer_writes(database, store_id=desk.store_id, text="Can I get a refund?")
    with database.unit_of_work(actor=SYSTEM) as session:
        switches.save(session, actor=SYSTEM, on={"intent", "sentiment", "urgency"})
    # when / then
    from kefu.errors import NotFound

    with pytest.raises(NotFound, match="switched off"):
        _suggest(database, desk, ticket_id)
    assert _shown_count(database) == 0


def test_nothing_is_suggested_once_the_agent_answered(database: Database) -> None:
    desk = make_desk(database)
    _ticket, _reply = _where_is_my_parcel(database, desk)
    settle(database)
    assert _suggest(database, desk, _ticket) == []  # solved
    assert _shown_count(database) == 0


def _shown_count(database: Database) -> int:
    from sqlalchemy import func, select

    from kefu.ai.suggest.models import SuggestionShown

    with database.sessions() as session:
        return session.scalar(select(func.count(SuggestionShown.id))) or 0


def test_a_past_answer_becomes_a_template_of_its_own_values() -> None:
    values = {
        "order": {"number": "2002", "tracking_number": "RM9"},
        "customer": {"first_name": "Olga", "name": "Olga Old"},
    }
    text = "Hi Olga, order 2002 (not 12002) ships. {{ x }}"
    assert as_template(text, values) == (
        "{% raw %}Hi {% endraw %}{{ customer.first_name }}{% raw %}, order {% endraw %}"
        "{{ order.number }}{% raw %} (not 12002) ships. {{ x }}{% endraw %}"
    )
    # Chinese has no spaces: the order number inside a Chinese sentence is found too
    assert as_template("订单2002已发货", values) == (
        "{% raw %}订单{% endraw %}{{ order.number }}{% raw %}已发货{% endraw %}"
    )


def test_a_chinese_question_finds_the_chinese_answer(database: Database) -> None:
    # given
    desk = make_desk(database)
    shipped_order(database, store_id=desk.store_id, number="2002", email="old@example.com",
                  name="Olga Old", tracking="SF999999999")  # fmt: skip
    _ticket, reply_id = solved_conversation(
        database, agent=desk.agent, store_id=desk.store_id, subject="快递",
        question="你好，我的快递到哪里了？已经一个星期了。",
        answer="您好，订单 2002 已经发货，快递单号 SF999999999，预计两天内送达。",
    )  # fmt: skip
    shipped_order(database, store_id=desk.store_id, number="1001", tracking="SF123456789")
    ticket_id = customer_writes(database, store_id=desk.store_id, subject="物流",
                                text="请问我的快递到哪里了？")  # fmt: skip
    settle(database)
    # when
    top = _suggest(database, desk, ticket_id)[0]
    # then
    assert (top.source, top.source_id) == ("reply", reply_id)
    assert top.text == "您好，订单 1001 已经发货，快递单号 SF123456789，预计两天内送达。"
