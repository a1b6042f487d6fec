"""Issue 12's assistant in the chat widget, in Chromium: on the demo store page (another origin,
kefu in a child process with its worker), the shopper asks what an article answers and gets
the answer with the article's link; asks for an order's status, is asked to prove it, proves
it and gets the tracking status; types 转人工; an agent in a second browser context sees the
chat in the queue, accepts it, reads the assistant's summary and replies; the shopper gets
the reply."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.config import Settings
from kefu.db import Database
from tests.accounts.factories import make_admin
from tests.ai.assistant_factories import make_shop
from tests.channels.chat.browser_steps import (
    WIDGET,
    agent_page,
    agent_replies,
    make_widget,
    say,
    set_online,
    shopper_page,
    wait_shopper_sees,
    write_store,
)
from tests.channels.chat.servers import KefuProcess, store_site

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("patient_expect")]


def test_the_assistant_answers_verifies_and_hands_the_chat_to_an_agent(
    browser: Any, database: Database, settings: Settings, tmp_path: Path
) -> None:
    ada = make_admin(database)
    set_online(database, ada.id)
    shop = make_shop(database)
    store_folder = tmp_path / "store"
    kefu = KefuProcess(settings)
    with store_site(store_folder) as store_url:
        key = make_widget(
            database, settings, origin=store_url, store_id=shop.store_id, assistant_first=True
        )
        write_store(store_folder, kefu_url=kefu.url, widget_key=key)
        kefu.start()
        try:
            converse(browser, kefu, store_url, ada)
        finally:
            kefu.stop()


def assistant_says(page: Any, text: str) -> Any:
    entry = page.locator(f"{WIDGET} .log li.assistant[data-seq]", has_text=text)
    expect(entry).to_have_count(1)
    return entry


def converse(browser: Any, kefu: KefuProcess, store_url: str, ada: Any) -> None:
    shopper_context, shopper = shopper_page(browser, store_url)
    panel = shopper.get_by_role("dialog", name="Chat with us")
    # given the shopper opens the chat on the store and fills in the pre-chat form
    shopper.get_by_role("button", name="Chat with us").click()
    panel.get_by_role("textbox", name="Name", exact=True).fill("Emily Stone")
    panel.get_by_role("textbox", name="Email", exact=True).fill("emily@example.com")
    panel.get_by_role("button", name="Start chat").click()
    expect(shopper.locator(f"{WIDGET} header .agent")).to_have_text("Our assistant answers first")
    expect(panel.get_by_role("button", name="Talk to a person")).to_be_visible()

    # when they ask what a help article answers: the answer, labelled, with its link
    say(shopper, "How long does delivery to the UK take?")
    answer = assistant_says(shopper, "3 to 5 working days")
    expect(answer.locator(".who")).to_have_text("Assistant (automatic answer): ")
    link = answer.get_by_role("link")
    article = f"{kefu.url}/help/lumen/en/articles/shipping-times"
    expect(link).to_have_attribute("href", article)

    # when they ask for an order: asked to prove it first, then the tracking status
    say(shopper, "Where is my order 1001?")
    assistant_says(shopper, "Thanks. And the email address you used for order 1001?")
    expect(panel.get_by_text("RM123456789GB")).to_have_count(0)
    say(shopper, "emily@example.com")
    assistant_says(shopper, "Shipment RM123456789GB (Royal Mail): In transit.")

    # when they type 转人工: the chat waits for an agent
    say(shopper, "转人工")
    assistant_says(shopper, "A colleague will join this chat shortly")
    expect(shopper.locator(f"{WIDGET} header .agent")).to_have_text("Waiting for an agent…")
    expect(panel.get_by_role("button", name="Talk to a person")).to_be_hidden()

    # then Ada, in her own browser, sees it in the queue and accepts it
    ada_context, ada_page = agent_page(browser, kefu.url, ada.email)
    ada_page.goto(f"{kefu.url}/chats")
    row = ada_page.locator("tr[data-chat-id]", has_text="Emily Stone")
    row.wait_for()
    row.get_by_role("button", name="Accept").click()
    ada_page.wait_for_url(f"{kefu.url}/tickets/*")
    # with the assistant's summary and the conversation so far
    summary = ada_page.locator("#ticket-summary")
    expect(summary).to_contain_text("Summary from the assistant")
    expect(summary).to_contain_text("The assistant offered: Shipping times")
    expect(summary).to_contain_text("The customer was verified and shown their order")
    expect(summary).to_contain_text("The customer asked for a person")
    expect(ada_page.locator(".thread")).to_contain_text("Customer: Where is my order 1001?")
    expect(panel.get_by_text("Ada Admin joined the chat")).to_be_visible()

    # when Ada replies, the shopper gets it
    agent_replies(ada_page, "Hello Emily, Ada here. Your parcel is in Leeds.")
    wait_shopper_sees(shopper, "Hello Emily, Ada here. Your parcel is in Leeds.")
    expect(shopper.locator(f"{WIDGET} header .agent")).to_have_text("Ada Admin")
    # every entry the shopper saw is there once, in seq order
    seqs = [int(s) for s in shopper.locator(f"{WIDGET} .log li[data-seq]").evaluate_all(
        "items => items.map(i => i.getAttribute('data-seq'))"
    )]  # fmt: skip
    assert seqs == list(range(1, len(seqs) + 1))
    for context in (shopper_context, ada_context):
        context.close()
