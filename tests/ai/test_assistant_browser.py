"""The assistant's done-when in Chromium, in English and Chinese: it answers a help-center
question with the article's link; refuses order details before verification; after it gives
the right tracking status; says "I don't know, let me get a colleague" for a question no
article covers; hands over on "I want a human" / "转人工", and the agent sees the summary on
the ticket; the report counts containment and hand-over."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kefu.ai import embedding
from kefu.db import Database
from kefu.permissions import Role
from kefu.tickets.models import Ticket
from tests.accounts.factories import make_agent
from tests.ai.assistant_factories import make_shop
from tests.tickets.test_inbox_browser import signed_in_page

pytestmark = pytest.mark.slow
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


def _ask(page: Any, text: str) -> Any:
    """Send `text`; the assistant's newest reply once it is there."""
    log = page.locator(".hc-assistant-log")
    before = log.locator("li.from-assistant").count()
    page.locator("#hc-assistant-input").fill(text)
    page.locator(".hc-assistant-form button").click()
    # a generous wait: two cores shared by many test runs
    expect(log.locator("li.from-assistant")).not_to_have_count(before, timeout=60000)
    return log.locator("li.from-assistant").last


def _ticket_ids(database: Database) -> list[int]:
    with database.sessions() as session:
        return list(session.scalars(select(Ticket.id).order_by(Ticket.id)))


def test_the_assistant_answers_verifies_and_hands_over_in_english(
    browser: Any, live_server: str, database: Database
) -> None:
    # given (the model loaded first, as a worker does at start-up)
    embedding.load()
    make_shop(database)
    manager = make_agent(database, email="mia@example.com", name="Mia", role=Role.MANAGER)
    context = browser.new_context(locale="en-US", **PHONE)
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        page.goto(f"{live_server}/help/lumen/en/")
        page.get_by_role("button", name="Ask our assistant").click()
        # a question an article answers: the passage and the article's link
        reply = _ask(page, "How long does delivery to the UK take?")
        expect(reply).to_contain_text("3 to 5 working days")
        reply.get_by_role("link", name="Shipping times").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Shipping times")
        page.get_by_role("button", name="Ask our assistant").click()
        # order details only after verification
        reply = _ask(page, "Where is my order 1001?")
        expect(reply).to_have_text("Thanks. And the email address you used for order 1001?")
        reply = _ask(page, "mallory@example.com")
        expect(reply).to_contain_text("could not match that order number")
        expect(page.locator(".hc-assistant-log")).not_to_contain_text("In transit")
        reply = _ask(page, "emily@example.com")
        expect(reply).to_contain_text("Shipment RM123456789GB (Royal Mail): In transit.")
        expect(reply).to_contain_text("Leeds: Arrived at the sorting centre.")
        # a question no published article covers
        reply = _ask(page, "Do your gift cards expire?")
        expect(reply).to_contain_text("A colleague has your conversation (ticket #")
        expect(page.locator(".hc-assistant-log li.kind-unknown")).to_have_text(
            "I don't know, let me get a colleague."
        )
        expect(page.locator(".hc-assistant-log")).not_to_contain_text("never expire")
        [ticket_id] = _ticket_ids(database)
    finally:
        context.close()
    # a second visitor asks for a person straight away
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        page.goto(f"{live_server}/help/lumen/en/articles/refunds")
        page.get_by_role("button", name="Ask our assistant").click()
        _ask(page, "How long does a refund take?")
        reply = _ask(page, "I want a human")
        expect(reply).to_contain_text("A colleague has your conversation")
        human_ticket = _ticket_ids(database)[-1]
        assert human_ticket != ticket_id
    finally:
        context.close()
    # the agent sees the summary on the hand-over ticket; the report counts both
    agent_context, agent_page = signed_in_page(browser, live_server, manager.email)
    try:
        agent_page.goto(f"{live_server}/tickets/{human_ticket}")
        summary = agent_page.locator("#ticket-summary")
        expect(summary.get_by_role("heading")).to_have_text("Summary from the assistant")
        expect(summary.locator(".summary-wants")).to_have_text(["How long does a refund take?"])
        expect(summary.locator(".summary-done")).to_have_text(
            ["The assistant offered: Refunds and returns"]
        )
        expect(summary.locator(".summary-pending")).to_have_text(
            ["The customer asked for a person"]
        )
        agent_page.goto(f"{live_server}/tickets/{ticket_id}")
        expect(agent_page.locator("#ticket-summary .summary-wants").first).to_have_text(
            "Do your gift cards expire?"
        )
        expect(agent_page.locator("#ticket-summary .summary-pending")).to_have_text(
            "No article answers: Do your gift cards expire?"
        )
        expect(agent_page.locator("#ticket-summary .summary-done")).to_have_text(
            [
                "The assistant offered: Shipping times",
                "The customer was verified and shown their order",
            ]
        )
        agent_page.goto(f"{live_server}/reports")
        agent_page.get_by_role("link", name="Help-center assistant").click()
        expect(agent_page.locator(".assistant-conversations")).to_have_text("2")
        expect(agent_page.locator(".assistant-handover")).to_have_text("100.0% (2)")
    finally:
        agent_context.close()


def test_the_assistant_in_chinese_answers_and_hands_over_on_zhuan_ren_gong(
    browser: Any, live_server: str, database: Database
) -> None:
    # given
    embedding.load()
    make_shop(database)
    context = browser.new_context(locale="zh-CN", **PHONE)
    page = context.new_page()
    page.set_default_timeout(20000)
    try:
        page.goto(f"{live_server}/help/lumen/zh-CN/")
        page.locator(".hc-assistant-open").click()
        reply = _ask(page, "怎么申请退款？")
        expect(reply).to_contain_text("三十天内可以申请退货退款")
        expect(reply.get_by_role("link", name="如何申请退款")).to_have_attribute(
            "href", "/help/lumen/zh-CN/articles/tuikuan"
        )
        reply = _ask(page, "我的快递到哪了？")
        expect(page.locator(".hc-assistant-log li.kind-verify")).to_have_count(1)
        reply = _ask(page, "转人工")
        expect(reply).to_contain_text(re.compile(r"#\d+"))
        assert len(_ticket_ids(database)) == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
