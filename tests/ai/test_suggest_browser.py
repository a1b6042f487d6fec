"""Suggested replies in Chromium: an agent opens a ticket, sees the suggestions beside the
reply box, inserts the first with Alt+1, edits and sends it; the report counts it as sent."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.ai import embedding
from kefu.db import Database
from kefu.permissions import Role
from tests.accounts.factories import make_agent
from tests.ai.suggest_factories import (
    customer_writes,
    make_desk,
    settle,
    shipped_order,
    solved_conversation,
)
from tests.tickets.test_inbox_browser import signed_in_page

pytestmark = pytest.mark.slow


def test_an_agent_inserts_a_suggestion_with_alt_1_and_the_report_counts_it(
    browser: Any, live_server: str, database: Database
) -> None:
    # given: a solved conversation about a parcel, and Emily asking the same about hers
    embedding.load()
    desk = make_desk(database)
    shipped_order(
        database,
        store_id=desk.store_id,
        number="2002",
        email="old@example.com",
        name="Olga Old",
        tracking="RM999999999GB",
    )
    shipped_order(database, store_id=desk.store_id, number="1001", tracking="RM123456789GB")
    solved_conversation(
        database,
        agent=desk.agent,
        store_id=desk.store_id,
        subject="Where is my parcel?",
        question="My parcel has not arrived yet, where is it?",
        answer="Hi Olga, order 2002 is with Royal Mail, tracking number RM999999999GB.",
    )
    ticket_id = customer_writes(
        database,
        store_id=desk.store_id,
        subject="parcel",
        text="Hello, my parcel has not arrived yet. Where is it?",
    )
    settle(database)
    mia = make_agent(database, email="mia@example.com", name="Mia", role=Role.MANAGER)
    context, page = signed_in_page(browser, live_server, mia.email)
    page.set_default_timeout(30000)  # two cores shared by many test runs
    try:
        # when: she opens the ticket, the suggestions load beside the reply box
        page.goto(f"{live_server}/tickets/{ticket_id}")
        first = page.locator("[data-suggest] [data-rank='1']")
        expect(first).to_contain_text("Alt+1")
        expect(first).to_contain_text("Past answer")
        expect(first.locator(".suggestion-text")).to_have_text(
            "Hi Emily, order 1001 is with Royal Mail, tracking number RM123456789GB."
        )
        box = page.locator("#composer-text")
        box.click()
        page.keyboard.press("Alt+1")
        expect(box).to_have_value(
            "Hi Emily, order 1001 is with Royal Mail, tracking number RM123456789GB."
        )
        expect(first).to_have_attribute("data-recorded", "true")
        box.press("End")
        box.type(" It should arrive tomorrow.")
        page.locator("[data-submit-default]").click()
        expect(page.locator(".flash, [role=status]").first).to_contain_text("Reply sent.")
        # then: the report counts it as sent, and the number leads to the ticket
        page.goto(f"{live_server}/reports")
        page.get_by_role("link", name="Suggested replies").click()
        row = page.locator('tr[data-source="reply"]')
        expect(row.locator('[data-stage="shown"]')).to_have_text("1")
        expect(row.locator('[data-stage="inserted"]')).to_have_text("1")
        expect(row.locator('[data-stage="sent"]')).to_have_text("1")
        row.locator('[data-stage="sent"] a').click()
        expect(page.locator("tr[data-ticket]")).to_have_count(1)
        expect(page.locator("tr[data-ticket]")).to_have_attribute("data-ticket", str(ticket_id))
        expect(page).to_have_url(re.compile(r"/reports/suggestions/tickets\?source=reply"))
    finally:
        context.close()
