"""The email channel's done-when, with real servers and a real browser: a customer's mail lands
in Dovecot, kefu opens a ticket, an agent replies in Chromium, the reply reaches the customer's
mailbox with threading headers, and the customer's answer joins the same ticket."""

import email
import email.policy
import re
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.channels.email import mailboxes
from kefu.channels.email.imap import fetch_once
from kefu.channels.email.jobs import send_due_mail
from kefu.channels.email.schemas import MailboxCreate
from kefu.dispatch import dispatch_due
from kefu.kit.actor import Actor
from kefu.runtime import Runtime
from kefu.tickets.messages import find_by_source, list_messages
from tests.accounts.factories import make_agent
from tests.channels.email.conftest import CUSTOMER, SUPPORT
from tests.channels.email.servers import CaptureSMTP, Dovecot
from tests.tickets.test_inbox_browser import signed_in_page

pytestmark = pytest.mark.slow


def _customer_mail(subject: str, text: str, **headers: str) -> tuple[bytes, str]:
    message = EmailMessage()
    message["From"] = f"Emily Chen <{CUSTOMER}>"
    message["To"] = SUPPORT
    message["Subject"] = subject
    message_id = make_msgid(domain="example.com")
    message["Message-ID"] = message_id
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message.as_bytes(), message_id.strip("<>")


def _fetch(runtime: Runtime, mailbox_id: int) -> None:
    report = fetch_once(
        runtime.database, runtime.files, mailbox_id=mailbox_id, settings=runtime.settings
    )
    assert report.error is None, report.error


def test_mail_in_reply_out_answer_back(
    browser: Any,
    live_server: str,
    runtime: Runtime,
    dovecot: Dovecot,
    imap_folder: str,
    smtp_capture: CaptureSMTP,
) -> None:
    # given: a mailbox on Dovecot and the capturing SMTP server, and an agent
    with runtime.database.unit_of_work() as session:
        mailbox = mailboxes.create_mailbox(
            session,
            actor=Actor.system(),
            data=MailboxCreate(
                name="Support",
                address=SUPPORT,
                from_name="Shop Support",
                imap_host=dovecot.host,
                imap_port=dovecot.imap_port,
                imap_security="none",
                imap_username=SUPPORT,
                imap_password=dovecot.password,
                imap_folder=imap_folder,
                smtp_host="127.0.0.1",
                smtp_port=smtp_capture.port,
                smtp_security="none",
            ),
        )
        mailbox_id = mailbox.id
    make_agent(runtime.database, email="ada@example.com", name="Ada Lovelace")
    marker = make_msgid().strip("<>@").split(".")[0]
    # when: the customer's mail lands in the support mailbox
    raw, first_id = _customer_mail(f"Parcel {marker} never arrived", "Order 1001 is late.")
    dovecot.append(SUPPORT, imap_folder, [raw])
    _fetch(runtime, mailbox_id)
    # then: a ticket, and the mail is flagged in Dovecot
    [stored] = dovecot.read(SUPPORT, imap_folder)
    assert stored.is_ingested
    with runtime.database.sessions() as session:
        [hit] = find_by_source(session, "email", [first_id])
        ticket_id = hit.ticket_id
    # the agent opens it from the Unassigned view and replies in the browser
    context, page = signed_in_page(browser, live_server, "ada@example.com")
    page.goto(f"{live_server}/views/unassigned")
    page.get_by_role("link", name=re.compile(f"Parcel {marker} never arrived")).first.click()
    expect(page.locator(".msg-customer")).to_contain_text("Order 1001 is late.")
    page.get_by_label("Message").fill("We asked the carrier; it arrives tomorrow.")
    page.get_by_role("button", name="Pending", exact=True).click()
    expect(page.get_by_text("Reply sent. Status: Pending.")).to_be_visible()
    dispatch_due(runtime.database)
    send_due_mail()
    page.reload()
    expect(page.get_by_text("Sent by email")).to_be_visible()
    # the reply is in the customer's mailbox, threaded
    [arrived] = [
        email.message_from_bytes(m.raw, policy=email.policy.default)
        for m in dovecot.read(CUSTOMER, criteria=["HEADER", "In-Reply-To", first_id])
    ]
    assert arrived["Subject"] == f"Re: Parcel {marker} never arrived [#{ticket_id}]"
    assert arrived["In-Reply-To"] == f"<{first_id}>"
    assert f"<{first_id}>" in arrived["References"]
    assert "it arrives tomorrow" in arrived.get_body(("plain",)).get_content()
    # when: the customer answers the reply (the client keeps only In-Reply-To)
    answer, _ = _customer_mail(
        f"Re: {arrived['Subject']}", "Thank you!", In_Reply_To=arrived["Message-ID"]
    )
    dovecot.append(SUPPORT, imap_folder, [answer])
    _fetch(runtime, mailbox_id)
    # then: it joins the same ticket, which is open again
    with runtime.database.sessions() as session:
        texts = [m.body_text.strip() for m in list_messages(session, ticket_id)]
    assert texts[-1].startswith("Thank you!")
    page.reload()
    expect(page.locator(".msg-customer").last).to_contain_text("Thank you!")
    context.close()
