"""What the chat's browser tests do and read, on both sides: a shopper on the store page with
the widget, an agent on kefu's ticket page. Reads go through the page (text and data-seq the
shopper's browser shows, messages the agent's page shows), never through kefu's tables."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from kefu.automation.assignment import service as assignment
from kefu.automation.assignment.schemas import AgentStatusValue
from kefu.channels.chat import widgets
from kefu.channels.chat.demo_store import demo_store_html
from kefu.channels.chat.schemas import WidgetIn
from kefu.config import Settings, secret_key
from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.web.templating import make_templates
from tests.accounts.factories import PASSWORD

# A 1×1 PNG: the smallest real image a shopper can attach.
PIXEL_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
WIDGET = "[data-kefu-chat]"
# Two processes and a browser on a busy machine: a page gets this long (expect() waits
# tests/conftest.py EXPECT_TIMEOUT_MS through the patient_expect fixture).
PAGE_TIMEOUT_MS = 45000


def make_widget(database: Database, settings: Settings, *, origin: str, **options: Any) -> str:
    """A widget that allows only the store's origin; its public key. The identity secret is
    encrypted with the instance key of `settings`, which the kefu child process shares."""
    data = WidgetIn(
        name="Tea shop",
        allowed_origins=[origin],
        prechat_fields={"name": "required", "email": "required", "order": "optional"},
        **options,
    )
    with database.unit_of_work(actor=Actor.system()) as session:
        widget, _secret = widgets.create_widget(
            session, actor=Actor.system(), data=data, key=secret_key(settings)
        )
        return str(widget.public_key)


def set_online(database: Database, *agent_ids: int) -> None:
    with database.unit_of_work(actor=Actor.system()) as session:
        for agent_id in agent_ids:
            assignment.set_status(
                session, actor=Actor.system(), agent_id=agent_id, status=AgentStatusValue.ONLINE
            )


def write_store(folder: Path, *, kefu_url: str, widget_key: str, language: str = "en") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    html = demo_store_html(
        make_templates().env, kefu_url=kefu_url, widget_key=widget_key, language=language
    )
    (folder / "index.html").write_text(html, encoding="utf-8")


def shopper_page(browser: Any, store_url: str, **options: Any) -> tuple[Any, Any]:
    context = browser.new_context(**({"locale": "en-US"} | options))
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.goto(store_url + "/index.html")
    return context, page


def agent_page(browser: Any, kefu_url: str, email: str) -> tuple[Any, Any]:
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    page.goto(f"{kefu_url}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{kefu_url}/")
    return context, page


def widget(page: Any) -> Any:
    return page.locator(WIDGET)


def start_chat(page: Any, *, name: str, email: str, order: str = "") -> None:
    page.get_by_role("button", name="Chat with us").click()
    panel = page.get_by_role("dialog", name="Chat with us")
    panel.get_by_role("textbox", name="Name", exact=True).fill(name)
    panel.get_by_role("textbox", name="Email", exact=True).fill(email)
    if order:
        panel.get_by_role("textbox", name="Order number (optional)").fill(order)
    panel.get_by_role("button", name="Start chat").click()
    expect(panel.get_by_text("Waiting for an agent…")).to_be_visible()


def say(page: Any, text: str, *, files: list[dict[str, Any]] | None = None) -> None:
    """The shopper writes (and attaches), then presses Enter."""
    panel = page.get_by_role("dialog", name="Chat with us")
    for file in files or []:
        page.locator(f"{WIDGET} input[type=file]").set_input_files(file)
        expect(panel.get_by_text(f"{file['name']} (")).to_be_visible()
    box = panel.get_by_label("Message", exact=True)
    box.fill(text)
    box.press("Enter")


def shown_to_shopper(page: Any) -> list[tuple[int, str, str]]:
    """(seq, author, text) of every entry the widget shows, top to bottom."""
    rows = page.locator(f"{WIDGET} .log li[data-seq]")
    found = []
    for row in rows.all():
        text = row.locator(".text").inner_text()
        found.append((int(row.get_attribute("data-seq")), row.get_attribute("class"), text))
    return found


def wait_shopper_sees(page: Any, text: str, *, timeout: float = 30000) -> None:
    """Until the widget shows `text` as an entry kefu stored (with its seq), exactly once.
    After kefu restarts, the widget's next try may be up to BACKOFF_MAX (15 s) away."""
    entry = page.locator(f"{WIDGET} .log li[data-seq] .text", has_text=text)
    expect(entry).to_have_count(1, timeout=timeout)


def shown_to_agent(page: Any) -> list[str]:
    """The conversation's public messages on the ticket page, top to bottom."""
    bodies = page.locator(".thread .msg-customer .msg-body, .thread .msg-agent .msg-body")
    return [" ".join(b.inner_text().split()) for b in bodies.all()]


def agent_replies(page: Any, text: str, *, files: list[dict[str, Any]] | None = None) -> None:
    """An ordinary ticket reply through the composer, keeping the ticket open."""
    if files:
        page.locator("#composer-files").set_input_files(files)
    page.get_by_label("Message", exact=True).fill(text)
    page.get_by_role("button", name="Open", exact=True).click()
    expect(page.get_by_text("Reply sent.")).to_be_visible()
