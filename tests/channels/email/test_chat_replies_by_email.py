"""A reply to an ended chat leaves by email (once, threaded, through the email channel's
outbound path and a real SMTP server); while the chat is live it goes to the widget only; with
no address the composer says so and nothing is sent."""

from __future__ import annotations

import email
import email.policy
from typing import Any

from sqlalchemy import func, select

from kefu.accounts import service as accounts
from kefu.channels.chat import service as chats
from kefu.channels.chat import transcript as transcripts
from kefu.channels.chat import visitors
from kefu.channels.chat.email_replies import composer_context
from kefu.channels.chat.models import Chat, ChatEntry
from kefu.channels.email.models import OutboundEmail
from kefu.channels.email.outbound import send_outbound
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.kit.actor import Actor
from kefu.runtime import Runtime
from kefu.tickets.messages import add_message, get_message
from kefu.tickets.schemas import MessageCreate
from kefu.tickets.service import get_ticket
from tests.accounts.factories import make_agent
from tests.channels.chat.agent_factories import make_widget, start_chat
from tests.channels.email.factories import deliver, mail, make_mailbox
from tests.channels.email.servers import CaptureSMTP

SHOPPER = "mei@example.net"  # not a Dovecot domain: the capture keeps it, nothing more


def _reply(database: Database, agent_id: int, ticket_id: int, text: str) -> int:
    with database.unit_of_work() as session:
        actor = accounts.actor_for(accounts.get_agent(session, agent_id))
        data = MessageCreate(body_text=text)
        return add_message(session, actor=actor, ticket_id=ticket_id, data=data).id


def _end(database: Database, chat_id: int) -> None:
    with database.unit_of_work(actor=Actor.system()) as session:
        chats.end(session, actor=None, chat_id=chat_id)


def _outbound(database: Database) -> list[tuple[int, list[str], str]]:
    with database.sessions() as session:
        rows = session.scalars(select(OutboundEmail).order_by(OutboundEmail.id))
        return [(r.message_id, list(r.recipients), r.status) for r in rows]


def _send_all(runtime: Runtime) -> list[str]:
    with runtime.database.sessions() as session:
        ids = list(session.scalars(select(OutboundEmail.id).order_by(OutboundEmail.id)))
    return [
        send_outbound(runtime.database, runtime.files, i, settings=runtime.settings) for i in ids
    ]


def test_a_reply_to_an_ended_chat_is_emailed_once_and_the_answer_threads_back(
    runtime: Runtime, smtp_capture: CaptureSMTP
) -> None:
    # given a shopper who gave her address in the pre-chat form, a chat that has ended
    database = runtime.database
    make_mailbox(database, smtp_port=smtp_capture.port)
    ada = make_agent(database, name="Ada")
    widget_id = make_widget(database)
    started = start_chat(database, widget_id=widget_id, email=SHOPPER, body="Is it in stock?")
    _end(database, started.chat_id)
    dispatch_due(database)
    # when the agent replies on the ticket, and the handlers run twice
    message_id = _reply(database, ada.id, started.ticket_id, "Yes, back in stock today.")
    dispatch_due(database)
    dispatch_due(database)
    # then one delivery record, to her, sent once however often the sender runs
    assert _outbound(database) == [(message_id, [SHOPPER], "queued")]
    assert _send_all(runtime) == ["sent"]
    assert _send_all(runtime) == ["sent"]
    [sent] = smtp_capture.handler.wait_for(1)
    assert len(smtp_capture.handler.mails) == 1
    assert sent.recipients == [SHOPPER]
    mail_sent = email.message_from_bytes(sent.raw, policy=email.policy.default)
    assert mail_sent["Subject"].startswith("Re: ")
    assert f"[#{started.ticket_id}]" in mail_sent["Subject"]
    text = mail_sent.get_body(("plain",)).get_content()
    assert text.startswith("Yes, back in stock today.")
    with database.sessions() as session:
        stored = get_message(session, message_id)
        assert (stored.channel, stored.details["written_on"]) == ("email", "chat")
        assert stored.details["delivery"]["status"] == "sent"
        assert mail_sent["Message-ID"] == f"<{stored.source_id}>"
        rfc_id = stored.source_id
    # when she answers the email, it joins the same ticket
    answer = mail(
        sender=SHOPPER,
        subject=f"Re: {mail_sent['Subject']}",
        in_reply_to=rfc_id,
        references=[rfc_id],
        text="Great, thanks!",
    )
    [receipt] = deliver(database, runtime.files, answer)
    assert receipt.ticket_id == started.ticket_id


def test_a_reply_while_the_chat_is_live_goes_to_the_widget_only(runtime: Runtime) -> None:
    database = runtime.database
    make_mailbox(database)
    ada = make_agent(database, name="Ada")
    widget_id = make_widget(database)
    started = start_chat(database, widget_id=widget_id, email=SHOPPER)
    # when
    message_id = _reply(database, ada.id, started.ticket_id, "Hello Mei")
    dispatch_due(database)
    # then
    assert _outbound(database) == []
    with database.sessions() as session:
        assert get_message(session, message_id).channel == "chat"
        bodies = session.scalars(
            select(ChatEntry.body).where(
                ChatEntry.chat_id == started.chat_id, ChatEntry.author == "agent"
            )
        ).all()
        assert bodies == ["Hello Mei"]
        ticket = get_ticket(session, started.ticket_id)
        assert composer_context(session, Actor.system(), ticket) is None


def _anonymous_chat(database: Database, widget_id: int) -> tuple[int, int]:
    """A shopper who gave no address: (chat id, ticket id)."""
    from kefu.channels.chat import widgets
    from kefu.channels.chat.schemas import PrechatIn
    from kefu.kit.clock import utcnow

    with database.unit_of_work() as session:
        widget, now = widgets.get_widget(session, widget_id), utcnow()
        visitor = visitors.greet(session, widget=widget, token=None, identity=None, now=now).visitor
        chat = visitors.start_chat(
            session, widget=widget, visitor=visitor, prechat=PrechatIn(name="Lu"), now=now
        )
        visitors.send_message(
            session, widget=widget, visitor=visitor, chat=chat, client_id="c-1", body="Hi", now=now
        )
        assert chat.ticket_id is not None
        return chat.id, chat.ticket_id


def test_without_an_address_the_composer_warns_and_nothing_is_mailed(
    runtime: Runtime, client: Any
) -> None:
    from tests.accounts.factories import PASSWORD
    from tests.web.helpers import sign_in

    # given an ended chat whose shopper gave no email
    database = runtime.database
    make_mailbox(database)
    make_agent(database, name="Ada", email="ada@example.com")
    widget_id = make_widget(database, prechat_fields={"name": "optional", "email": "off"})
    chat_id, ticket_id = _anonymous_chat(database, widget_id)
    _end(database, chat_id)
    sign_in(client, "ada@example.com", PASSWORD)
    # then the composer says so before sending
    page = client.get(f"/tickets/{ticket_id}").text
    assert "the shopper left no email address" in page
    assert 'data-reply-via="none"' in page
    # when the agent replies anyway
    with database.sessions() as session:
        ada_id = accounts.find_agent_by_email(session, "ada@example.com").id
    message_id = _reply(database, ada_id, ticket_id, "Sorry we missed you")
    dispatch_due(database)
    # then nothing is queued and the reply stays a chat reply on the ticket
    assert _outbound(database) == []
    with database.sessions() as session:
        assert get_message(session, message_id).channel == "chat"


def test_the_transcript_address_receives_the_reply_and_becomes_the_customers(
    runtime: Runtime,
) -> None:
    # given a shopper with no pre-chat address who asked for the transcript
    database = runtime.database
    make_mailbox(database)
    ada = make_agent(database, name="Ada")
    widget_id = make_widget(database, prechat_fields={"name": "optional", "email": "off"})
    chat_id, ticket_id = _anonymous_chat(database, widget_id)
    with database.unit_of_work() as session:
        chat = session.get(Chat, chat_id)
        visitor = visitors.visitor_by_id(session, chat.visitor_id)
        transcripts.request_transcript(
            session, visitor=visitor, chat_id=chat_id, email="Lu@Example.org"
        )
    _end(database, chat_id)
    # then the composer names the address
    with database.sessions() as session:
        ticket = get_ticket(session, ticket_id)
        assert composer_context(session, Actor.system(), ticket) == {"email": "lu@example.org"}
    # when the agent replies
    message_id = _reply(database, ada.id, ticket_id, "Here is the answer")
    dispatch_due(database)
    # then it is queued to that address, which the customer now has
    assert _outbound(database) == [(message_id, ["lu@example.org"], "queued")]
    with database.sessions() as session:
        from kefu.customers import service as customers

        found = customers.find_by_identity(session, "email", "lu@example.org")
        assert found is not None and found.id == get_ticket(session, ticket_id).requester_id


def test_the_reply_leaves_from_the_mailbox_of_the_widgets_store(runtime: Runtime) -> None:
    from kefu.commerce import stores
    from kefu.commerce.schemas import StoreCreate

    database = runtime.database
    with database.unit_of_work(actor=Actor.system()) as session:
        store_id = stores.create_store(
            session, actor=Actor.system(), data=StoreCreate(name="Tea shop")
        ).id
    make_mailbox(database, address="help@example.org")
    own = make_mailbox(database, address="tea@example.org")
    with database.unit_of_work(actor=Actor.system()) as session:
        from kefu.channels.email.models import Mailbox

        session.get_one(Mailbox, own.id).store_id = store_id  # the brand's own address
    ada = make_agent(database, name="Ada")
    widget_id = make_widget(database, store_id=store_id)
    started = start_chat(database, widget_id=widget_id, email=SHOPPER)
    _end(database, started.chat_id)
    _reply(database, ada.id, started.ticket_id, "From the tea shop")
    dispatch_due(database)
    with database.sessions() as session:
        outbound = session.scalars(select(OutboundEmail)).one()
        assert outbound.mailbox_id == own.id
        assert session.scalar(select(func.count()).select_from(OutboundEmail)) == 1
