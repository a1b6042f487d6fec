"""Proving an order with a one-time code: mailed (through the event outbox and a real SMTP
server) to the order's own address, typed back into the assistant."""

import email
import email.policy
import re
import uuid
from typing import Any

from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.runtime import Runtime
from tests.ai.assistant_factories import make_shop
from tests.channels.email.conftest import CUSTOMER, dovecot, smtp_capture  # noqa: F401
from tests.channels.email.servers import CaptureSMTP, Dovecot

URL = "/helpcenter/assistant/messages"


def _ask(client: Any, message: str, conversation: str | None) -> dict[str, Any]:
    body = {"site": "lumen", "language": "en", "message": message, "conversation": conversation}
    response = client.post(URL, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def _codes(dovecot: Dovecot, number: str) -> list[str]:  # noqa: F811
    found = []
    for stored in dovecot.read(CUSTOMER):
        parsed = email.message_from_bytes(stored.raw, policy=email.policy.default)
        if str(parsed["Subject"]) == f"Your code for order {number}":
            body = parsed.get_body(("plain",)).get_content()
            found.append(re.search(r"code is (\d{6})\.", body).group(1))  # type: ignore[union-attr]
    return found


def test_a_code_mailed_to_the_order_address_proves_the_order(
    client: Any,
    database: Database,
    runtime: Runtime,
    dovecot: Dovecot,  # noqa: F811
    smtp_capture: CaptureSMTP,  # noqa: F811
) -> None:
    # given: an order only this test uses, mailed to the customer's Dovecot mailbox
    number = str(uuid.uuid4().int)[:9]
    make_shop(database, number=number, email=CUSTOMER)
    runtime.settings = runtime.settings.model_copy(
        update={"smtp_url": f"smtp://127.0.0.1:{smtp_capture.port}"}
    )
    first = _ask(client, f"Where is my order {number}?", None)
    token = first["conversation"]
    # when: a code is asked for, mailed, typed wrong, then right
    sent = _ask(client, "Please send me a code", token)
    dispatch_due(database)
    [code] = _codes(dovecot, number)
    wrong = _ask(client, "000000" if code != "000000" else "111111", token)
    right = _ask(client, code, token)
    # then
    assert [r["kind"] for r in sent["replies"]] == ["code_sent"]
    assert number in sent["replies"][0]["body"] and code not in str(sent)
    assert [r["kind"] for r in wrong["replies"]] == ["code_wrong"]
    assert "In transit" not in str(wrong)
    [reply] = right["replies"]
    assert reply["kind"] == "order"
    assert "Shipment RM123456789GB (Royal Mail): In transit." in reply["body"]


def test_a_code_for_an_unknown_order_sends_nothing_and_says_the_same(
    client: Any, database: Database
) -> None:
    make_shop(database)
    first = _ask(client, "Where is my order 99999?", None)
    sent = _ask(client, "send me a code", first["conversation"])
    typed = _ask(client, "123456", first["conversation"])
    assert [r["kind"] for r in sent["replies"]] == ["code_sent"]
    assert typed["replies"][0]["kind"] != "order"
