"""In a real browser at phone width: a manager writes business hours and an SLA policy, a
customer writes in, the ticket shows its clock, and the minute job (a controlled clock)
reports the breach, which the ticket and the inbox then show."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.kit.clock import as_utc
from kefu.permissions import Role
from kefu.runtime import Runtime
from kefu.sla.jobs import check_clocks
from tests.accounts.factories import make_agent
from tests.sla.factories import clocks
from tests.tickets.factories import receive
from tests.tickets.test_inbox_browser import signed_in_page

pytestmark = pytest.mark.slow
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
SHOTS = Path(__file__).resolve().parents[2] / "data" / "sla-shots"


def fits_the_phone(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["viewport"]["width"]


def test_a_manager_writes_an_sla_on_a_phone_and_a_breach_shows(
    browser: Any, live_server: str, database: Database, runtime: Runtime
) -> None:
    make_agent(database, email="lead@example.com", name="Lea Lead", role=Role.MANAGER)
    context, page = signed_in_page(browser, live_server, "lead@example.com", **PHONE)
    # the empty page says what to do
    page.goto(f"{live_server}/admin/sla")
    expect(page.get_by_text("No SLA policy yet")).to_be_visible()
    fits_the_phone(page)
    # business hours: a refusal first, with the reason, then saved
    page.get_by_role("link", name="New business hours").click()
    fits_the_phone(page)
    page.get_by_label("Name").fill("Every day")
    page.get_by_label("Time zone").select_option("Asia/Shanghai")
    page.get_by_label("Monday").fill("18:00-09:00")
    page.get_by_role("button", name="Save business hours").click()
    expect(page.get_by_role("alert")).to_contain_text("cannot cross midnight")
    for day in ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"):
        page.get_by_label(day).fill("00:00-24:00")
    page.get_by_label("Default: for tickets whose team and store have none").check()
    page.get_by_role("button", name="Save business hours").click()
    expect(page.get_by_text("Business hours saved.")).to_be_visible()
    # a policy: first reply in 30 minutes for every priority, warned 10 minutes before
    page.get_by_role("link", name="New SLA policy").click()
    page.get_by_label("Name").fill("Everyone")
    for priority in ("Urgent", "High", "Normal", "Low"):
        page.get_by_label(f"First reply · {priority}").fill("30")
    page.get_by_label("Warn this many minutes before a breach").fill("10")
    fits_the_phone(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "policy-form-phone.png"), full_page=True)
    page.get_by_role("button", name="Save SLA policy").click()
    expect(page.get_by_text("SLA policy saved.")).to_be_visible()
    expect(page.get_by_role("link", name="Everyone")).to_be_visible()
    fits_the_phone(page)
    page.screenshot(path=str(SHOTS / "sla-home-phone.png"), full_page=True)
    # when a customer writes in
    ticket_id = receive(database, subject="Where is my parcel?").ticket_id
    dispatch_due(database)
    page.goto(f"{live_server}/tickets/{ticket_id}")
    expect(page.locator("#sla-panel")).to_contain_text("First reply due in")
    # and the clock runs out (the runtime's clock moved past the due time)
    due = as_utc(clocks(database, ticket_id)["first_reply"].due_at)
    runtime.clock = lambda: due + timedelta(minutes=5)
    assert check_clocks() == {"warned": 1, "breached": 1}
    # then the ticket shows the breach
    page.reload()
    expect(page.locator("#sla-panel")).to_contain_text("First reply breached 5 minutes ago")
    fits_the_phone(page)
    page.screenshot(path=str(SHOTS / "ticket-breached-phone.png"), full_page=True)
    context.close()
