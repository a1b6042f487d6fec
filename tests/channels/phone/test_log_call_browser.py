"""Logging a call in Chromium: the running timer fills in the duration, the card appears."""

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from kefu.channels.phone.models import Call
from kefu.db import Database
from tests.accounts.factories import make_agent
from tests.customers.factories import make_customer
from tests.tickets.factories import receive
from tests.tickets.test_inbox_browser import signed_in_page

pytestmark = pytest.mark.slow


def test_agent_times_and_logs_a_call(browser: Any, live_server: str, database: Database) -> None:
    # given Emily's ticket (her number is known) and an agent on it, with the page's clock
    # under the test's control
    make_customer(database, phones=("+447700900123",))
    ticket = receive(database, email="emily@example.com", subject="Parcel late")
    agent = make_agent(database, email="li@example.com", name="Li Wei")
    context, page = signed_in_page(browser, live_server, agent.email)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.clock.install()
    page.goto(f"{live_server}/tickets/{ticket.ticket_id}")
    panel = page.locator("#phone-panel")
    expect(panel.locator('a[href="tel:+447700900123"]')).to_be_visible()
    # when the agent starts the timer, talks for 3 minutes 7 seconds and stops it
    panel.get_by_text("Log a call").click()
    panel.get_by_role("button", name="Start timer").click()
    page.clock.run_for("03:07")
    expect(panel.locator("[data-call-clock]")).to_have_text("3:07")
    panel.get_by_role("button", name="Stop timer").click()
    expect(panel.get_by_label("Duration (minutes:seconds)")).to_have_value("3:07")
    panel.get_by_label("Disposition").select_option("callback_requested")
    panel.get_by_label("Notes").fill("Wants a call back tomorrow morning.")
    panel.get_by_role("button", name="Save the call").click()
    # then the conversation shows the call card
    card = page.locator("article.msg-call")
    expect(card).to_contain_text("Outgoing call")
    expect(card).to_contain_text("3:07")
    expect(card).to_contain_text("Callback requested")
    expect(card).to_contain_text("Wants a call back tomorrow morning.")
    with database.sessions() as session:
        call = session.scalars(select(Call)).one()
        assert (call.duration_seconds, call.disposition) == (187, "callback_requested")
    assert errors == []
    context.close()
