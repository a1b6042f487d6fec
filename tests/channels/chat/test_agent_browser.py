"""The agent's side of live chat in Chromium: the queue fills the moment a shopper writes,
the agent accepts, sees the shopper type and write on the ticket page without a reload, and
answers with Enter (Shift+Enter is a new line)."""

from typing import Any

import pytest
from sqlalchemy import select

from kefu.channels.chat import service as chats
from kefu.db import Database
from kefu.runtime import Runtime
from kefu.tickets.models import Message
from tests.accounts.factories import PASSWORD, make_agent
from tests.channels.chat.agent_factories import make_widget, shopper_says, start_chat
from tests.web.test_browser import fill_sign_in

pytestmark = pytest.mark.slow


def test_queue_updates_live_and_the_agent_answers_on_the_ticket(
    page: Any, live_server: str, runtime: Runtime, database: Database
) -> None:
    base = live_server
    make_agent(database, email="bo@example.com", name="Bo Chen")
    widget_id = make_widget(database)
    fill_sign_in(page, base, "bo@example.com", PASSWORD)
    page.wait_for_url(f"{base}/")
    # given Bo watches the queue, empty
    page.goto(f"{base}/chats")
    page.get_by_text("No shopper is waiting.").wait_for()
    chats_link = page.get_by_role("navigation", name="Main").get_by_role("link", name="Chats")
    assert chats_link.inner_text().strip() == "Chats"
    # when a shopper starts a chat on the store
    started = start_chat(database, widget_id=widget_id)
    # then it appears in the queue and the top bar counts it, without a reload
    row = page.locator(f'tr[data-chat-id="{started.chat_id}"]')
    row.wait_for()
    assert "Mei Lin" in row.inner_text() and "Blue mug" in row.inner_text()
    page.locator("[data-live-chats] .notification-count", has_text="1").wait_for()
    # when Bo accepts it, he is on its ticket and the count drops
    row.get_by_role("button", name="Accept").click()
    page.wait_for_url(f"{base}/tickets/{started.ticket_id}")
    panel = page.locator(f'[data-chat-panel="{started.chat_id}"]')
    assert "active" in panel.inner_text().lower() and "Bo Chen (you)" in panel.inner_text()
    page.locator("[data-live-chats] .notification-count").wait_for(state="detached")
    # when the shopper types, then writes, Bo sees both on the ticket page
    page.locator("html[data-chat-stream]").wait_for(state="attached")
    chats.publish_typing(runtime.broadcast, started.chat_id, author="visitor", name="Mei", on=True)
    page.get_by_text("Mei is typing…").first.wait_for()
    shopper_says(database, started, widget_id, "Is it shipped yet?")
    page.locator(".thread").get_by_text("Is it shipped yet?").wait_for()
    assert page.get_by_text("Mei is typing…").count() == 0
    # when Bo writes two lines (Shift+Enter) and presses Enter, the reply is sent
    box = page.get_by_label("Message")
    box.click()
    box.press_sequentially("Yes, this morning.")
    box.press("Shift+Enter")
    box.press_sequentially("Tracking follows.")
    assert box.input_value() == "Yes, this morning.\nTracking follows."
    assert page.url.endswith(f"/tickets/{started.ticket_id}")
    box.press("Enter")
    page.get_by_text("Reply sent.").wait_for()
    with database.sessions() as session:
        bodies = session.scalars(
            select(Message.body_text).where(
                Message.ticket_id == started.ticket_id, Message.author_type == "agent"
            )
        ).all()
    # (a form posts its lines with CRLF, as browsers do)
    assert [b.replace("\r\n", "\n") for b in bodies] == ["Yes, this morning.\nTracking follows."]
