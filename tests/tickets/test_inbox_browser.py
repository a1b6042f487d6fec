"""The shared inbox's done-when, in Chromium: two agents on one ticket."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.db import Database
from kefu.dispatch import dispatch_due
from tests.accounts.factories import PASSWORD, make_agent
from tests.conftest import STEP_TIMEOUT_MS
from tests.tickets.factories import receive

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("patient_expect")]


def signed_in_page(browser: Any, base: str, email: str, **options: Any) -> tuple[Any, Any]:
    context = browser.new_context(locale="en-US", **options)
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT_MS)
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My open tickets")).to_be_visible()
    return context, page


def test_agent_takes_replies_mentions_and_solves_while_a_colleague_watches(
    browser: Any, live_server: str, database: Database
) -> None:
    # given an unassigned ticket and two agents, Bo already looking at the ticket
    ada = make_agent(database, email="ada@example.com", name="Ada Lovelace")
    bo = make_agent(database, email="bo@example.com", name="Bo Li")
    ticket = receive(database, subject="My parcel never arrived", name="Chen Wei").ticket_id
    bo_context, bo_page = signed_in_page(browser, live_server, bo.email)
    bo_page.goto(f"{live_server}/tickets/{ticket}")
    ada_context, ada_page = signed_in_page(browser, live_server, ada.email)

    # when Ada opens Unassigned and the ticket
    ada_page.get_by_role("navigation", name="Views").get_by_role(
        "link", name=re.compile("Unassigned")
    ).click()
    expect(ada_page.get_by_role("heading", name="Unassigned")).to_be_visible()
    ada_page.get_by_role("link", name=re.compile("My parcel never arrived")).click()
    # then each sees the other on the ticket
    expect(bo_page.get_by_text("Ada Lovelace is viewing")).to_be_visible()
    expect(ada_page.get_by_text("Bo Li is viewing")).to_be_visible()

    # Ada takes it
    ada_page.get_by_role("button", name="Take it").click()
    expect(ada_page.get_by_text("The ticket is yours.")).to_be_visible()
    expect(ada_page.get_by_label("Assignee")).to_have_value(str(ada.id))
    # (the page reloaded: its scripts listen for typing once it has loaded; on a busy machine
    # the text can show before they run)
    ada_page.wait_for_load_state("load")

    # Ada replies; while she types, Bo sees it
    ada_page.get_by_label("Message").press_sequentially("We have asked the carrier")
    expect(bo_page.get_by_text("Ada Lovelace is typing…")).to_be_visible()
    ada_page.get_by_role("button", name="Open", exact=True).click()
    expect(ada_page.get_by_text("Reply sent. Status: Open.")).to_be_visible()
    expect(ada_page.locator(".msg-agent").last).to_contain_text("We have asked the carrier")

    # Ada adds a note mentioning Bo through the autocomplete
    ada_page.get_by_text("Internal note", exact=True).click()
    message = ada_page.get_by_label("Message")
    message.press_sequentially("@Bo")
    mentions = ada_page.get_by_role("listbox", name="Agents to mention")
    expect(mentions.get_by_role("option", name="Bo Li")).to_be_visible()
    message.press("Enter")
    message.press_sequentially("can you call them?")
    expect(message).to_have_value("@Bo Li can you call them?")
    ada_page.get_by_role("button", name="Open", exact=True).click()
    expect(ada_page.get_by_text("Note added.")).to_be_visible()
    note = ada_page.locator(".msg-note").last
    expect(note).to_contain_text("can you call them?")
    expect(note).to_contain_text("Mentioned: @Bo Li")

    # Ada solves it
    ada_page.get_by_role("button", name="Solve", exact=True).click()
    expect(ada_page.get_by_label("Status", exact=True)).to_have_value("solved")

    # the outbox delivers the mention: Bo's badge lights up live, the entry is listed
    dispatch_due(database)
    badge = bo_page.locator("[data-live-badge]")
    expect(badge.locator(".notification-count")).to_have_text("1")
    badge.click()
    expect(bo_page.get_by_role("heading", name="Notifications")).to_be_visible()
    entry = bo_page.get_by_role("link", name=f"Ada Lovelace mentioned you on ticket #{ticket}")
    expect(entry).to_be_visible()
    entry.click()
    expect(
        bo_page.get_by_role("heading", name=re.compile("My parcel never arrived"))
    ).to_be_visible()
    expect(bo_page.get_by_label("Status", exact=True)).to_have_value("solved")
    ada_context.close()
    bo_context.close()


def test_keyboard_and_bulk_selection_in_the_list(
    browser: Any, live_server: str, database: Database
) -> None:
    agent = make_agent(database, email="kim@example.com", name="Kim Park")
    for n in range(4):
        receive(database, subject=f"Question {n}", email=f"q{n}@example.com")
    context, page = signed_in_page(browser, live_server, agent.email)
    page.goto(f"{live_server}/views/unassigned")
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()
    # shift-click selects a range; the bulk bar appears and assigns them all
    boxes = page.locator("[data-row-check]")
    boxes.nth(0).check()
    boxes.nth(2).click(modifiers=["Shift"])
    expect(page.locator("[data-row-check]:checked")).to_have_count(3)
    page.get_by_label("Assign to").select_option("me")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_text("3 tickets updated.")).to_be_visible()
    expect(page.locator("[data-row]")).to_have_count(1)
    # j moves to the row, o opens it, n starts a note (each page's shortcuts work once its
    # scripts have run, after the page has loaded)
    page.wait_for_load_state("load")
    page.keyboard.press("j")
    page.keyboard.press("o")
    expect(page.get_by_role("heading", name=re.compile("Question"))).to_be_visible()
    page.wait_for_load_state("load")
    page.keyboard.press("n")
    expect(page.get_by_label("Message")).to_be_focused()
    expect(page.locator("[data-kind-note]")).to_be_checked()
    context.close()
