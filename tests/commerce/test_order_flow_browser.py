"""The issue's done-when in a real browser, with the real mail servers: an agent opens the
customer's email ticket, sees the order with its tracking, refunds one item (the policy
passes), starts a return for another (outside the window: a manager must approve), a
manager approves it from the queue, and both confirmations reach the customer's mailbox."""

# ruff: noqa: F811  (the mail servers' fixtures are imported, then named as parameters)

import email
import email.policy
import re
from datetime import timedelta
from email.utils import make_msgid
from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.channels.email.imap import fetch_once
from kefu.channels.email.jobs import send_due_mail
from kefu.dispatch import dispatch_due
from kefu.kit.clock import utcnow
from kefu.permissions import Role
from kefu.runtime import Runtime
from kefu.tickets.messages import find_by_source
from tests.accounts.factories import make_agent
from tests.channels.email.conftest import (  # noqa: F401  the mail servers' fixtures
    CUSTOMER,
    SUPPORT,
    dovecot,
    imap_folder,
    smtp_capture,
)
from tests.channels.email.loopback import customer_writes, loopback_mailbox
from tests.channels.email.servers import CaptureSMTP, Dovecot
from tests.commerce.actions_factories import make_order, make_store, set_policy
from tests.tickets.test_inbox_browser import signed_in_page

pytestmark = pytest.mark.slow


def _mail_to_customer(dovecot: Dovecot, marker: str) -> list[str]:
    found = []
    for stored in dovecot.read(CUSTOMER):
        parsed = email.message_from_bytes(stored.raw, policy=email.policy.default)
        if marker in str(parsed["Subject"]):
            found.append(parsed.get_body(("plain",)).get_content())
    return found


def test_refund_and_approved_return_reach_the_customer(
    browser: Any,
    live_server: str,
    runtime: Runtime,
    dovecot: Dovecot,
    imap_folder: str,
    smtp_capture: CaptureSMTP,
) -> None:
    # given: the support mailbox, Emily's delivered order 1001 (2 shirts, 1 mug) and a
    # 7-day return window for homeware, an agent and a manager
    mailbox_id = loopback_mailbox(
        runtime.database, dovecot, imap_folder, smtp_capture, from_name="Lotus Shop"
    )
    database = runtime.database
    now = utcnow()
    store_id = make_store(database)
    shop = make_order(
        database,
        store_id=store_id,
        email=CUSTOMER,
        placed_at=now - timedelta(days=20),
        delivered_at=now - timedelta(days=12),
    )
    set_policy(database, store_id=store_id, category="home", return_window_days=7)
    make_agent(database, email="ann@example.com", name="Ann Agent")
    make_agent(database, email="max@example.com", name="Max Manager", role=Role.MANAGER)
    marker = make_msgid().strip("<>@").split(".")[0]
    first_id = customer_writes(
        dovecot, imap_folder, f"Order 1001 {marker}", "One shirt is torn and I don't want the mug."
    )
    report = fetch_once(database, runtime.files, mailbox_id=mailbox_id, settings=runtime.settings)
    assert report.error is None, report.error
    with database.sessions() as session:
        [message] = find_by_source(session, "email", [first_id])
        ticket_id = message.ticket_id
    # when: the agent opens the ticket and sees the order with its tracking
    context, page = signed_in_page(browser, live_server, "ann@example.com")
    page.goto(f"{live_server}/tickets/{ticket_id}")
    card = page.locator(f'.order-card[data-order-id="{shop.order_id}"]')
    expect(card).to_contain_text("#1001")
    expect(card.get_by_role("link", name="1Z1001")).to_be_visible()
    expect(card.locator(".shipment")).to_contain_text("Delivered")
    # refunds one shirt: the policy passes
    card.get_by_role("button", name="Refund", exact=True).click()
    form = card.locator('form.action-form[data-kind="refund"]')
    form.get_by_label(re.compile(r"^T-shirt \(M\)")).fill("1")
    expect(form.locator(".policy-checks")).to_contain_text("Within your refund limit of $100.00")
    form.get_by_role("button", name=re.compile("^Submit")).click()
    expect(card.locator(".action-result")).to_contain_text("Refund done.")
    expect(card.locator(".action-result")).to_contain_text("$20.00")
    # starts a return of the mug: outside the window, so a manager must approve
    card.get_by_role("button", name="Return", exact=True).click()
    form = card.locator('form.action-form[data-kind="return"]')
    form.get_by_label("Reason").select_option("changed_mind")
    form.get_by_label(re.compile(r"^Mug")).fill("1")
    expect(form.locator(".policy-checks")).to_contain_text(
        "Outside the 7-day return window (delivered 12 days ago): a manager must approve"
    )
    form.get_by_role("button", name=re.compile("^Submit")).click()
    expect(card.locator(".action-result")).to_contain_text("sent to a manager for approval")
    expect(card.locator('.order-action-history [data-status="pending_approval"]')).to_be_visible()
    context.close()
    # then: the manager approves it from the queue
    context, page = signed_in_page(browser, live_server, "max@example.com")
    expect(page.locator(".approval-count")).to_have_text("1")
    page.get_by_role("link", name=re.compile("^Approvals")).click()
    row = page.locator("tr", has_text="#1001")
    expect(row).to_contain_text("Outside the 7-day return window (delivered 12 days ago)")
    expect(row).to_contain_text("Ann Agent")
    row.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved and done.")).to_be_visible()
    expect(page.get_by_text("Nothing waits for approval.")).to_be_visible()
    page.goto(f"{live_server}/tickets/{ticket_id}")
    expect(page.locator(".order-returns")).to_contain_text("RMA-")
    context.close()
    # and both confirmations reach the customer by email
    dispatch_due(database)
    send_due_mail()
    bodies = _mail_to_customer(dovecot, marker)
    assert len(bodies) == 2, bodies
    assert any("We have refunded $20.00 for order #1001 (1 × T-shirt (M))" in b for b in bodies)
    assert any(
        re.search(
            r"Your return RMA-\d+-1 for order #1001 is approved \(1 × Mug; reason: changed mind\)",
            b,
        )
        for b in bodies
    ), bodies
