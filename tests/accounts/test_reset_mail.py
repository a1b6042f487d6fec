"""The password-reset mail leaves through a real SMTP server, after commit, via the outbox."""

import re
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from kefu.dispatch import dispatch_due
from kefu.runtime import Runtime
from tests.accounts.factories import make_agent
from tests.conftest import free_port
from tests.web.helpers import csrf_token


class Inbox:
    """An aiosmtpd handler keeping what it receives, parsed with the modern email API."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp_inbox() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_reset_mail_is_sent_once_and_its_link_works(
    client: Any, runtime: Runtime, smtp_inbox: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_inbox
    runtime.settings.smtp_url = f"smtp://127.0.0.1:{port}"
    make_agent(runtime.database, email="wang@example.com", language="zh_Hans")
    # when the agent asks for a reset
    page = client.get("/password/forgot")
    response = client.post(
        "/password/forgot", data={"email": "wang@example.com", "csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 200 and "one hour" in response.text
    # then nothing is sent before the outbox runs, and exactly one mail after
    assert inbox.messages == []
    assert dispatch_due(runtime.database).done == 1
    assert dispatch_due(runtime.database).ran == 0
    [mail] = inbox.messages
    assert mail["To"] == "wang@example.com" and mail["Subject"] == "重置您的 kefu 密码"
    body = mail.get_content()
    link = re.search(r"http://testserver(/password/reset/\S+)", body)
    assert link
    # and the link lets the agent choose a new password, once
    form = client.get(link.group(1))
    assert form.status_code == 200
    done = client.post(
        link.group(1), data={"password": "brand new password", "csrf_token": csrf_token(form.text)}
    )
    assert done.status_code == 200
    assert client.get(link.group(1)).status_code == 400


def test_unknown_email_gets_the_same_answer_and_no_mail(
    client: Any, runtime: Runtime, smtp_inbox: tuple[Inbox, int]
) -> None:
    inbox, port = smtp_inbox
    runtime.settings.smtp_url = f"smtp://127.0.0.1:{port}"
    page = client.get("/password/forgot")
    response = client.post(
        "/password/forgot", data={"email": "ghost@example.com", "csrf_token": csrf_token(page.text)}
    )
    assert response.status_code == 200 and "one hour" in response.text
    assert dispatch_due(runtime.database).ran == 0
    assert inbox.messages == []
