"""The widget's own behaviour in Chromium, on a store page of another origin: Chinese on a
phone-sized screen with the keyboard, the offline "leave a message" form, and a message
written while kefu is down that survives a reload of the store page."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.config import Settings
from kefu.customers import service as customers
from kefu.db import Database
from kefu.tickets import service as tickets
from tests.accounts.factories import make_admin
from tests.channels.chat.browser_steps import (
    WIDGET,
    make_widget,
    say,
    set_online,
    shopper_page,
    shown_to_shopper,
    start_chat,
    wait_shopper_sees,
    write_store,
)
from tests.channels.chat.servers import KefuProcess, store_site

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("patient_expect")]
PHONE = {"width": 375, "height": 667}


def test_on_a_phone_in_chinese_the_panel_fills_the_screen_and_works_by_keyboard(
    browser: Any, database: Database, settings: Settings, live_server: str, tmp_path: Path
) -> None:
    set_online(database, make_admin(database).id)
    with store_site(tmp_path) as store_url:
        key = make_widget(database, settings, origin=store_url)
        write_store(tmp_path, kefu_url=live_server, widget_key=key, language="zh_Hans")
        context, page = shopper_page(
            browser, store_url, locale="zh-CN", viewport=PHONE, reduced_motion="reduce"
        )
        launcher = page.get_by_role("button", name="在线客服")
        # when the shopper opens the chat on a phone
        launcher.click()
        panel = page.get_by_role("dialog", name="在线客服")
        # then it fills the screen, in Chinese, with the widget's greeting and labelled fields
        expect(panel).to_be_visible()
        box = panel.bounding_box()
        assert {name: round(value) for name, value in box.items()} == {"x": 0, "y": 0, **PHONE}
        expect(panel.get_by_text("您好！有什么可以帮您？")).to_be_visible()
        expect(panel.get_by_role("textbox", name="姓名", exact=True)).to_be_focused()
        expect(launcher).to_have_attribute("aria-expanded", "true")
        # a required field left empty is said, not sent
        panel.get_by_role("button", name="开始对话").click()
        expect(panel.get_by_role("alert")).to_have_text("请填写：姓名。")
        # when Escape is pressed, the panel closes and focus is back on the chat button
        page.keyboard.press("Escape")
        expect(panel).to_be_hidden()
        expect(launcher).to_be_focused()
        expect(launcher).to_have_attribute("aria-expanded", "false")
        # and the conversation is announced to screen readers as it grows
        expect(page.locator(f"{WIDGET} .log")).to_have_attribute("aria-live", "polite")
        context.close()


def test_when_nobody_is_online_the_shopper_leaves_a_message_as_a_ticket(
    browser: Any, database: Database, settings: Settings, live_server: str, tmp_path: Path
) -> None:
    # given a widget whose agents are all offline
    make_admin(database)
    with store_site(tmp_path) as store_url:
        key = make_widget(database, settings, origin=store_url)
        write_store(tmp_path, kefu_url=live_server, widget_key=key)
        context, page = shopper_page(browser, store_url)
        page.get_by_role("button", name="Chat with us").click()
        panel = page.get_by_role("dialog", name="Chat with us")
        # then the panel offers the offline form instead of a chat
        expect(panel.get_by_role("heading", name="We are away right now")).to_be_visible()
        expect(panel.get_by_label("Message", exact=True)).to_be_hidden()
        # when the shopper leaves a message
        panel.get_by_role("textbox", name="Name (optional)").fill("Mei Chen")
        panel.get_by_role("textbox", name="Email", exact=True).fill("mei@example.com")
        panel.get_by_label("Your message").fill("Do you ship to Macau?")
        panel.get_by_role("button", name="Send message").click()
        # then it is thanked for and becomes a ticket answered by email
        expect(panel.get_by_text("Thank you! We will reply by email.")).to_be_visible()
        context.close()
    with database.unit_of_work() as session:
        mei = customers.find_by_identity(session, "email", "mei@example.com")
        assert mei is not None
        found = tickets.recent_tickets_of(session, mei.id, since=datetime(2000, 1, 1, tzinfo=UTC))
        assert [(t.channel, t.subject) for t in found] == [
            ("email", "Message from the chat on Tea shop")
        ]


def test_a_message_written_while_kefu_is_down_survives_a_reload_and_arrives_once(
    browser: Any, database: Database, settings: Settings, tmp_path: Path
) -> None:
    set_online(database, make_admin(database).id)
    kefu = KefuProcess(settings)
    with store_site(tmp_path) as store_url:
        key = make_widget(database, settings, origin=store_url)
        write_store(tmp_path, kefu_url=kefu.url, widget_key=key)
        kefu.start()
        try:
            context, page = shopper_page(browser, store_url)
            panel = page.get_by_role("dialog", name="Chat with us")
            start_chat(page, name="Mei Chen", email="mei@example.com")
            say(page, "First, before the outage")
            wait_shopper_sees(page, "First, before the outage")
            # given kefu is down when the shopper writes again
            kefu.stop()
            expect(panel.get_by_text("Connection lost. Reconnecting…")).to_be_visible()
            say(page, "Second, while kefu is down")
            # when the shopper reloads the store page before kefu is back
            page.reload()
            page.get_by_role("button", name="Chat with us").click()
            # then the unsent message is still there, waiting
            expect(panel.get_by_text("Sending…")).to_be_visible()
            # and once kefu is back it is sent, and shown once after the history
            kefu.start()
            wait_shopper_sees(page, "Second, while kefu is down")
            page.reload()
            page.get_by_role("button", name="Chat with us").click()
            wait_shopper_sees(page, "Second, while kefu is down")
            shown = [(author, text) for _, author, text in shown_to_shopper(page)]
            assert shown == [
                ("visitor", "First, before the outage"),
                ("visitor", "Second, while kefu is down"),
            ]
            context.close()
        finally:
            kefu.stop()
