"""Agents' replies leave by SMTP with threading headers, once, and failures are shown."""

import email
import email.policy
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from kefu.channels.email.models import OutboundEmail
from kefu.channels.email.outbound import send_outbound
from kefu.dispatch import dispatch_due
from kefu.runtime import Runtime
from kefu.tickets.messages import add_message, get_message
from kefu.tickets.schemas import MessageCreate
from tests.accounts.factories import make_agent
from tests.channels.email.factories import deliver, mail, make_mailbox
from tests.conftest import free_port


@dataclass
class Capture:
    """A real SMTP server on loopback that keeps what it accepts (or answers with a code)."""

    port: int
    received: list[Envelope] = field(default_factory=list)
    answer: str = "250 OK"

    async def handle_DATA(self, server: object, session: object, envelope: Envelope) -> str:  # noqa: N802
        if self.answer.startswith("250"):
            self.received.append(envelope)
        return self.answer


@pytest.fixture
def smtp() -> Iterator[Capture]:
    capture = Capture(port=free_port())
    controller = Controller(capture, hostname="127.0.0.1", port=capture.port)
    controller.start()
    yield capture
    controller.stop()


def _reply(runtime: Runtime, agent_id: int, ticket_id: int, text: str) -> int:
    from kefu.accounts import service as accounts

    with runtime.database.unit_of_work() as session:
        actor = accounts.actor_for(accounts.get_agent(session, agent_id))
        message = add_message(
            session, actor=actor, ticket_id=ticket_id, data=MessageCreate(body_text=text)
        )
        return message.id


def _send_all(runtime: Runtime) -> list[str]:
    dispatch_due(runtime.database)
    with runtime.database.sessions() as session:
        ids = [row.id for row in session.query(OutboundEmail).order_by(OutboundEmail.id)]
    return [
        send_outbound(runtime.database, runtime.files, i, settings=runtime.settings) for i in ids
    ]


def test_a_reply_arrives_threaded_and_the_answer_joins_the_ticket(
    runtime: Runtime, smtp: Capture
) -> None:
    # given: a mailbox, an agent with a signature, a customer's mail
    make_mailbox(runtime.database, smtp_port=smtp.port)
    agent = make_agent(runtime.database, email="zhang.wei@shop.example.com", name="Zhang Wei")
    with runtime.database.unit_of_work() as session:
        from kefu.accounts import service as accounts

        accounts.get_agent(session, agent.id).signature = "Zhang Wei\nShop Support"
    [first] = deliver(runtime.database, runtime.files, mail(message_id="q1@example.com"))
    # when: the agent replies
    message_id = _reply(runtime, agent.id, first.ticket_id, "Your parcel left today.")
    assert _send_all(runtime) == ["sent"]
    # then: the mail carries the thread
    [envelope] = smtp.received
    sent = email.message_from_bytes(envelope.content, policy=email.policy.default)  # type: ignore[arg-type]
    assert envelope.rcpt_tos == ["emily@example.com"]
    [sender] = sent["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (
        "Zhang Wei (Shop Support)",
        "support@shop.example.com",
    )
    assert sent["Reply-To"] == "support@shop.example.com"
    assert sent["Subject"] == f"Re: Where is my order? [#{first.ticket_id}]"
    assert sent["In-Reply-To"] == "<q1@example.com>"
    assert sent["References"] == "<q1@example.com>"
    text = sent.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Your parcel left today.\n\n-- \nZhang Wei\nShop Support")
    assert "> I ordered a week ago" in text
    assert sent.get_body(("html",)) is not None
    with runtime.database.sessions() as session:
        stored = get_message(session, message_id)
        assert f"<{stored.source_id}>" == sent["Message-ID"]
        assert stored.details["delivery"]["status"] == "sent"
    # when: the customer answers the reply
    answer = mail(
        subject=f"Re: {sent['Subject']}",
        in_reply_to=stored.source_id,
        references=["q1@example.com", stored.source_id],
        text="Thanks!",
    )
    [receipt] = deliver(runtime.database, runtime.files, answer)
    assert receipt.ticket_id == first.ticket_id


def test_notes_are_never_mailed(runtime: Runtime, smtp: Capture) -> None:
    make_mailbox(runtime.database, smtp_port=smtp.port)
    agent = make_agent(runtime.database)
    [first] = deliver(runtime.database, runtime.files, mail())
    with runtime.database.unit_of_work() as session:
        from kefu.accounts import service as accounts

        actor = accounts.actor_for(accounts.get_agent(session, agent.id))
        add_message(
            session,
            actor=actor,
            ticket_id=first.ticket_id,
            data=MessageCreate(kind="note", body_text="Customer is a VIP."),
        )
    assert _send_all(runtime) == []
    assert smtp.received == []


def test_a_temporary_failure_is_retried_later(runtime: Runtime, smtp: Capture) -> None:
    make_mailbox(runtime.database, smtp_port=smtp.port)
    agent = make_agent(runtime.database)
    [first] = deliver(runtime.database, runtime.files, mail())
    message_id = _reply(runtime, agent.id, first.ticket_id, "On its way.")
    smtp.answer = "451 4.3.0 Try again later"
    assert _send_all(runtime) == ["queued"]
    with runtime.database.sessions() as session:
        row = session.query(OutboundEmail).one()
        assert row.attempts == 1 and row.next_attempt_at is not None
        assert "451" in (row.last_error or "")
        assert get_message(session, message_id).details["delivery"]["status"] == "sending"
    # a retry that is not due yet sends nothing
    assert send_outbound(runtime.database, runtime.files, row.id, settings=runtime.settings) == (
        "queued"
    )
    assert smtp.received == []


def test_a_permanent_failure_is_shown_on_the_message(runtime: Runtime, smtp: Capture) -> None:
    make_mailbox(runtime.database, smtp_port=smtp.port)
    agent = make_agent(runtime.database)
    [first] = deliver(runtime.database, runtime.files, mail())
    message_id = _reply(runtime, agent.id, first.ticket_id, "On its way.")
    smtp.answer = "554 5.7.1 Message rejected as spam"
    assert _send_all(runtime) == ["failed"]
    with runtime.database.sessions() as session:
        delivery = get_message(session, message_id).details["delivery"]
        assert delivery == {"status": "failed", "error": "554 5.7.1 Message rejected as spam"}


def test_a_reply_is_not_sent_again_once_recorded(runtime: Runtime, smtp: Capture) -> None:
    make_mailbox(runtime.database, smtp_port=smtp.port)
    agent = make_agent(runtime.database)
    [first] = deliver(runtime.database, runtime.files, mail())
    _reply(runtime, agent.id, first.ticket_id, "Once.")
    assert _send_all(runtime) == ["sent"]
    # when: the job runs again (a retried job, a second worker)
    assert _send_all(runtime) == ["sent"]
    assert len(smtp.received) == 1


def test_a_bounce_of_a_reply_is_shown_on_its_ticket(runtime: Runtime, smtp: Capture) -> None:
    # given: a reply sent to an address that does not exist
    from pathlib import Path

    from kefu.customers import service as customers
    from kefu.tickets.messages import list_messages

    make_mailbox(runtime.database, smtp_port=smtp.port)
    agent = make_agent(runtime.database)
    customer_mail = mail(sender="no.such.user@example.net", name="Nobody")
    [first] = deliver(runtime.database, runtime.files, customer_mail)
    message_id = _reply(runtime, agent.id, first.ticket_id, "We refunded you.")
    assert _send_all(runtime) == ["sent"]
    with runtime.database.sessions() as session:
        sent_id = get_message(session, message_id).source_id
    # when: the mail server's delivery report comes back
    dsn = (Path(__file__).parent / "mail" / "dsn_postfix.eml").read_bytes()
    dsn = dsn.replace(b"kefu.t2210.m5.c0ffee@shop.example", sent_id.encode())
    [receipt] = deliver(runtime.database, runtime.files, dsn)
    # then: a note on the same ticket, the reply marked failed, the address flagged
    assert (receipt.ticket_id, receipt.noise) == (first.ticket_id, "bounce")
    with runtime.database.sessions() as session:
        note = list_messages(session, first.ticket_id)[-1]
        assert (note.kind, note.author_type) == ("note", "system")
        assert note.body_text.startswith("Delivery to no.such.user@example.net failed: 5.1.1")
        delivery = get_message(session, message_id).details["delivery"]
        assert delivery["status"] == "failed"
        assert delivery["error"].startswith("bounced: 5.1.1")
        customer = customers.find_by_identity(session, "email", "no.such.user@example.net")
        [identity] = customers.identities_of(session, [customer.id])[customer.id]
        assert identity.details["bounce"].startswith("5.1.1")
    # and the same report fetched again changes nothing
    [again] = deliver(runtime.database, runtime.files, dsn)
    assert again.message_id == receipt.message_id
