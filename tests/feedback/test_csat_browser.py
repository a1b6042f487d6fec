"""The issue's done-when in a real browser, with the real mail servers: an agent solves a
customer's email ticket; an hour later the survey reaches the customer's mailbox; a plain GET
of its link (a mail scanner) records nothing; the customer rates "bad" with a comment in the
browser; the trigger on `csat.received` reopens the ticket and notifies the team lead."""

# ruff: noqa: F811  (the mail servers' fixtures are imported, then named as parameters)

import email
import email.policy
import re
from email.utils import make_msgid
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from kefu.channels.email.imap import fetch_once
from kefu.channels.email.jobs import send_due_mail
from kefu.dispatch import dispatch_due
from kefu.feedback.jobs import send_csat
from kefu.feedback.models import CsatRating
from kefu.runtime import Runtime
from kefu.tickets.messages import find_by_source
from kefu.tickets.models import Notification, Ticket
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
from tests.feedback.factories import add_bad_rating_trigger, enable_csat, later, lead
from tests.tickets.test_inbox_browser import signed_in_page

pytestmark = pytest.mark.slow
LINK = re.compile(r"(\S+/feedback/csat/\S+\?rating=bad)")


def _mail_to_customer(dovecot: Dovecot, marker: str) -> list[str]:
    found = []
    for stored in dovecot.read(CUSTOMER):
        parsed = email.message_from_bytes(stored.raw, policy=email.policy.default)
        if marker in str(parsed["Subject"]):
            found.append(parsed.get_body(("plain",)).get_content())
    return found


def _ratings(runtime: Runtime) -> int:
    with runtime.database.sessions() as session:
        return session.scalar(select(func.count(CsatRating.id))) or 0


def test_bad_rating_by_email_reopens_the_ticket_and_tells_the_lead(
    browser: Any,
    live_server: str,
    runtime: Runtime,
    dovecot: Dovecot,
    imap_folder: str,
    smtp_capture: CaptureSMTP,
) -> None:
    # given: surveys an hour after a solve, the trigger "bad rating → reopen, notify Lee",
    # and Emily's email ticket
    database = runtime.database
    mailbox_id = loopback_mailbox(
        runtime.database, dovecot, imap_folder, smtp_capture, from_name="Lotus Shop"
    )
    enable_csat(database, csat_delay_minutes=60)
    lead_id = lead(database)
    add_bad_rating_trigger(database, lead_id)
    make_agent(database, email="ann@example.com", name="Ann Agent")
    marker = make_msgid().strip("<>@").split(".")[0]
    source_id = customer_writes(
        dovecot, imap_folder, f"Broken mug {marker}", "The mug arrived broken."
    )
    report = fetch_once(database, runtime.files, mailbox_id=mailbox_id, settings=runtime.settings)
    assert report.error is None, report.error
    with database.sessions() as session:
        [message] = find_by_source(session, "email", [source_id])
        ticket_id = message.ticket_id
    # when: the agent solves it in the browser
    context, page = signed_in_page(browser, live_server, "ann@example.com")
    page.goto(f"{live_server}/tickets/{ticket_id}")
    page.get_by_role("button", name="Solve", exact=True).click()
    expect(page.get_by_label("Status", exact=True)).to_have_value("solved")
    context.close()
    dispatch_due(database)
    # an hour later the survey job runs and the email channel sends the survey
    moment = later(61)
    runtime.clock = lambda: moment
    assert send_csat() == {"sent": 1}
    dispatch_due(database, clock=runtime.clock)
    send_due_mail()
    [body] = _mail_to_customer(dovecot, marker)
    assert "How would you rate the help you received" in body
    link = LINK.search(body)
    assert link is not None, body
    url = link.group(1).replace("http://testserver", live_server)
    # then: a mail scanner's plain GET (no scripts, no clicks) records nothing
    context = browser.new_context(locale="en-US")
    scanned = context.request.get(url)
    assert scanned.status == 200 and "Submit" in scanned.text()
    assert _ratings(runtime) == 0
    # the customer opens the link, sees "bad" chosen, adds a comment and submits
    customer = context.new_page()
    customer.goto(url)
    expect(customer.get_by_label("Bad")).to_be_checked()
    assert _ratings(runtime) == 0
    customer.get_by_label("Comment (optional)").fill("The replacement never came.")
    customer.get_by_role("button", name="Submit").click()
    expect(customer.get_by_role("status")).to_contain_text("Your answer is recorded")
    context.close()
    dispatch_due(database, clock=runtime.clock)
    # the trigger reopened the ticket and notified the team lead
    with database.sessions() as session:
        ticket = session.get_one(Ticket, ticket_id)
        notified = session.scalars(
            select(Notification.ticket_id).where(Notification.agent_id == lead_id)
        ).all()
        [rating] = session.scalars(select(CsatRating)).all()
    assert ticket.status == "open"
    assert notified == [ticket_id]
    assert (rating.rating, rating.comment) == ("bad", "The replacement never came.")
    # and the agent sees the rating beside the ticket
    context, page = signed_in_page(browser, live_server, "ann@example.com")
    page.goto(f"{live_server}/tickets/{ticket_id}")
    expect(page.locator("#csat-panel")).to_contain_text("Bad")
    expect(page.locator("#csat-panel")).to_contain_text("The replacement never came.")
    context.close()
