"""In Chromium: an agent finds a macro from the composer with the keyboard, sends it, and
the macro's changes are made; the top bar's switch sets the agent's status."""

from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.automation.assignment import service as assignment
from kefu.db import Database
from kefu.tickets import service as tickets
from tests.accounts.factories import PASSWORD, make_agent
from tests.automation.macro_factories import make_macro
from tests.conftest import STEP_TIMEOUT_MS
from tests.tickets.factories import make_ticket

pytestmark = pytest.mark.slow


def test_an_agent_replies_from_a_macro_with_the_keyboard(
    browser: Any, live_server: str, database: Database
) -> None:
    # given
    agent = make_agent(database, email="ada@example.com", name="Ada Lovelace")
    ticket = make_ticket(database, subject="Where is my parcel?")
    make_macro(
        database,
        name="Parcel delayed",
        folder="Shipping/Delays",
        en="Sorry, ticket {{ ticket.id }} is delayed. {{ order.tracking_number }}",
        actions=[{"type": "add_tags", "tags": ["delay"]}],
    )
    make_macro(database, name="Refund done", en="Refunded.")
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    page.goto(f"{live_server}/login")
    page.get_by_label("Email").fill(agent.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server}/tickets/{ticket.id}")
    # when: search, pick with Enter
    search = page.get_by_role("combobox", name="Search macros")
    expect(page.get_by_role("button", name="Do not use the macro")).to_be_hidden()
    page.locator("body").press("m")
    expect(search).to_be_focused()
    search.press_sequentially("delay")
    expect(page.get_by_role("option", name="Parcel delayed")).to_have_attribute(
        "aria-selected", "true"
    )
    expect(page.get_by_role("option", name="Refund done")).to_have_count(0)
    search.press("Enter")
    # then the reply box has the text, the missing value is named, the changes are shown
    message = page.get_by_label("Message")
    expect(message).to_have_value(f"Sorry, ticket {ticket.id} is delayed. [order.tracking_number]")
    expect(page.get_by_text("Fill in: order.tracking_number")).to_be_visible()
    expect(page.get_by_text("Add tags: delay")).to_be_visible()
    # when sent
    page.get_by_role("button", name="Pending", exact=True).click()
    expect(page.get_by_text("Reply sent. Status: Pending.")).to_be_visible()
    # and the agent goes online from the top bar (once HTMX has loaded the switch)
    page.wait_for_load_state("networkidle")
    page.get_by_label("My status").select_option("online")
    expect(page.get_by_label("My status")).to_have_value("online")
    expect(page.locator(".status-dot-online").first).to_be_visible()
    context.close()
    # then
    with database.unit_of_work() as session:
        assert tickets.tags_of(session, [ticket.id])[ticket.id] == ["delay"]
        assert assignment.status_of(session, agent.id) == "online"
