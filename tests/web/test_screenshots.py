"""The inbox and ticket page with demo data, at laptop and phone sizes: nothing overflows
sideways, and `scripts/screenshots` keeps the pictures for the docs (docs/screenshots)."""

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kefu.db import Database
from kefu.demo import DEMO_ADMIN_EMAIL, DEMO_PASSWORD, steps
from kefu.dispatch import dispatch_due
from kefu.tickets.models import Message, Ticket

pytestmark = pytest.mark.slow

SIZES = {"laptop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


def _fill_demo(database: Database) -> int:
    """Demo data through the demo steps; returns a ticket of the admin's with a note."""
    for step in steps():
        step.run(database, 1, lambda _n: None)
    dispatch_due(database)
    with database.sessions() as session:
        return int(
            session.scalars(
                select(Ticket.id)
                .join(Message, Message.ticket_id == Ticket.id)
                .where(Message.kind == "note", Ticket.status == "open")
                .order_by(Ticket.message_count.desc(), Ticket.id)
                .limit(1)
            ).one()
        )


def test_inbox_and_ticket_fit_a_laptop_and_a_phone(
    browser: Any, live_server: str, database: Database, backend: str, tmp_path: Path
) -> None:
    if backend != "sqlite":
        pytest.skip("pictures once are enough")
    ticket_id = _fill_demo(database)
    where = Path(os.environ.get("KEFU_SCREENSHOTS_DIR") or tmp_path)
    where.mkdir(parents=True, exist_ok=True)
    for size, viewport in SIZES.items():
        context = browser.new_context(viewport=viewport, locale="en-US")
        page = context.new_page()
        page.goto(f"{live_server}/login")
        page.get_by_label("Email").fill(DEMO_ADMIN_EMAIL)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="My open tickets")).to_be_visible()
        for name, path in (("inbox", "/views/all_open"), ("ticket", f"/tickets/{ticket_id}")):
            page.goto(f"{live_server}{path}")
            expect(page.locator("main")).to_be_visible()
            page.screenshot(path=str(where / f"{name}-{size}.png"))
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        context.close()
