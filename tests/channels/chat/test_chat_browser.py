"""Issue 8's Done-when in Chromium: a shopper on a store page (another origin) that embeds the
widget with one tag and an agent in kefu carry a whole conversation — attachments and typing
both ways — the agent transfers it, the shopper rates it; kefu (a child process) is stopped
and started again in the middle, and every message arrives exactly once, in order, on both
sides."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.channels.chat import service as chats
from kefu.config import Settings
from kefu.db import Database
from tests.accounts.factories import make_admin, make_agent
from tests.channels.chat.browser_steps import (
    PIXEL_PNG,
    WIDGET,
    agent_page,
    agent_replies,
    make_widget,
    say,
    set_online,
    shopper_page,
    shown_to_agent,
    shown_to_shopper,
    start_chat,
    wait_shopper_sees,
    write_store,
)
from tests.channels.chat.servers import KefuProcess, store_site

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("patient_expect")]

LABEL = {"name": "label.png", "mimeType": "image/png", "buffer": PIXEL_PNG}
TRACKING = {"name": "tracking.txt", "mimeType": "text/plain", "buffer": b"SF1234567890 at depot"}
VISITOR_TYPING = "Mei Chen is typing…"
CONVERSATION = [
    ("visitor", "Hello, my jasmine tea has not arrived"),
    ("visitor", "Here is the shipping label"),
    ("agent", "Sorry! I am checking with the carrier"),
    ("visitor", "Are you still there?"),
    ("agent", "Yes, the parcel is at the depot"),
    ("agent", "Bo here: it will arrive tomorrow"),
]


def the_chat(database: Database) -> Any:
    with database.unit_of_work() as session:
        (waiting,) = chats.waiting_chats(session)
        return waiting


def chat_of_ticket(database: Database, ticket_id: int) -> Any:
    with database.unit_of_work() as session:
        return chats.chat_for_ticket(session, ticket_id)


def test_shopper_and_agents_chat_through_a_restart_transfer_and_rating(
    browser: Any, database: Database, settings: Settings, tmp_path: Path
) -> None:
    ada = make_admin(database)
    bo = make_agent(database, email="bo@example.com", name="Bo Chen")
    set_online(database, ada.id, bo.id)
    store_folder = tmp_path / "store"
    store_folder.mkdir()
    kefu = KefuProcess(settings)
    with store_site(store_folder) as store_url:
        key = make_widget(database, settings, origin=store_url)
        write_store(store_folder, kefu_url=kefu.url, widget_key=key)
        kefu.start()
        try:
            carry_the_conversation(browser, database, kefu, store_url, ada, bo)
        finally:
            kefu.stop()


def carry_the_conversation(
    browser: Any, database: Database, kefu: KefuProcess, store_url: str, ada: Any, bo: Any
) -> None:
    shopper_context, shopper = shopper_page(browser, store_url)
    panel = shopper.get_by_role("dialog", name="Chat with us")

    # given the shopper starts a chat from the store page and writes, with an image
    start_chat(shopper, name="Mei Chen", email="mei@example.com", order="1001")
    say(shopper, CONVERSATION[0][1])
    wait_shopper_sees(shopper, CONVERSATION[0][1])
    say(shopper, CONVERSATION[1][1], files=[LABEL])
    wait_shopper_sees(shopper, CONVERSATION[1][1])
    expect(shopper.locator(f"{WIDGET} .log li[data-seq] img[alt='label.png']")).to_be_visible()

    # when Ada opens the waiting chat's ticket and accepts it
    chat = the_chat(database)
    ada_context, ada_page = agent_page(browser, kefu.url, ada.email)
    ada_page.goto(f"{kefu.url}/tickets/{chat.ticket_id}")
    ada_page.get_by_role("button", name="Accept chat").click()
    expect(panel.get_by_text("Ada Admin joined the chat")).to_be_visible()
    expect(shopper.locator(f"{WIDGET} header .agent")).to_have_text("Ada Admin")
    # then she sees what the shopper wrote and the image
    assert shown_to_agent(ada_page) == [text for _, text in CONVERSATION[:2]]
    expect(ada_page.get_by_role("link", name="📎 label.png")).to_be_visible()
    ada_page.locator("html[data-chat-stream]").wait_for(state="attached")

    # the shopper types: Ada sees it; Ada answers with a file: the shopper sees her typing
    shopper.get_by_label("Message", exact=True).press_sequentially("Is")
    expect(ada_page.locator("#composer").get_by_text(VISITOR_TYPING)).to_be_visible()
    shopper.get_by_label("Message", exact=True).fill("")
    ada_page.get_by_label("Message", exact=True).press_sequentially("Sorry!")
    expect(panel.get_by_text("Ada Admin is typing…")).to_be_visible()
    agent_replies(ada_page, CONVERSATION[2][1], files=[TRACKING])
    wait_shopper_sees(shopper, CONVERSATION[2][1])
    expect(panel.get_by_role("link", name="tracking.txt (21 B)")).to_be_visible()
    expect(panel.get_by_text("Ada Admin is typing…")).to_be_hidden()

    # when kefu stops in the middle of the conversation
    kefu.stop()
    expect(panel.get_by_text("Connection lost. Reconnecting…")).to_be_visible()
    say(shopper, CONVERSATION[3][1])
    expect(panel.get_by_text("Sending…")).to_be_visible()
    # and starts again on the same port and data
    kefu.start()
    # then the message written meanwhile arrives, once
    wait_shopper_sees(shopper, CONVERSATION[3][1])
    expect(panel.get_by_text("Connection lost. Reconnecting…")).to_be_hidden()
    outbox = shopper.evaluate(f"localStorage.getItem('kefu-chat:{chat_key(shopper)}:outbox')")
    assert outbox == "[]"
    # and reaches Ada's ticket page live, once: her stream reconnects by itself and catches up
    # on what was said while it was away (the entries after the seq her page was drawn with)
    thread = ada_page.locator(".thread")
    expect(thread.get_by_text(CONVERSATION[3][1])).to_have_count(1, timeout=60_000)
    agent_replies(ada_page, CONVERSATION[4][1])
    wait_shopper_sees(shopper, CONVERSATION[4][1])

    # when Ada transfers the chat to Bo, Bo answers
    ada_page.get_by_label("Transfer to").select_option(label="Bo Chen")
    ada_page.get_by_role("button", name="Transfer", exact=True).click()
    expect(shopper.locator(f"{WIDGET} header .agent")).to_have_text("Bo Chen")
    bo_context, bo_page = agent_page(browser, kefu.url, bo.email)
    bo_page.goto(f"{kefu.url}/tickets/{chat.ticket_id}")
    agent_replies(bo_page, CONVERSATION[5][1])
    wait_shopper_sees(shopper, CONVERSATION[5][1])

    # when the shopper ends the chat, rates it and asks for the transcript
    shopper.once("dialog", lambda dialog: dialog.accept())
    panel.get_by_role("button", name="End chat").click()
    panel.get_by_role("button", name="5 out of 5").click()
    panel.get_by_label("Comment (optional)").fill("Quick and kind")
    panel.get_by_role("button", name="Send rating").click()
    expect(panel.get_by_text("Thank you for your feedback!")).to_be_visible()
    panel.get_by_label("Email me the transcript").fill("mei@example.com")
    panel.get_by_role("button", name="Send transcript").click()
    expect(panel.get_by_text("The transcript is on its way to mei@example.com.")).to_be_visible()

    # then every message is on both sides exactly once, in order
    assert_exactly_once_in_order(shopper)
    shopper.reload()
    shopper.get_by_role("button", name="Chat with us").click()
    wait_shopper_sees(shopper, CONVERSATION[5][1])
    assert_exactly_once_in_order(shopper)
    bo_page.reload()
    assert shown_to_agent(bo_page) == [text for _, text in CONVERSATION]
    rated = chat_of_ticket(database, chat.ticket_id)
    assert (rated.status, rated.agent_id, rated.rating) == ("ended", bo.id, 5)
    assert rated.rating_comment == "Quick and kind"
    for context in (shopper_context, ada_context, bo_context):
        context.close()


def chat_key(page: Any) -> str:
    return str(page.locator("script[data-widget]").get_attribute("data-widget"))


def assert_exactly_once_in_order(page: Any) -> None:
    shown = shown_to_shopper(page)
    seqs = [seq for seq, _, _ in shown]
    assert seqs == sorted(set(seqs))
    talk = [(author, text) for _, author, text in shown if author in ("visitor", "agent")]
    assert talk == CONVERSATION
