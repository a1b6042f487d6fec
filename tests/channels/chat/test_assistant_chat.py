"""The assistant answers first in the chat widget (kefu.channels.chat.assistant_bridge), through
the socket's own database operations and the event dispatcher: answers from articles with the
link, orders only after verification, hand-over to the agents' queue with the summary, the
widget's setting and the admin's switch, a failing assistant, exactly-once entries."""

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from kefu.ai import switches
from kefu.ai.assistant import retrieval
from kefu.ai.assistant.report import assistant_report
from kefu.ai.summary_panel import summary_panel
from kefu.channels.chat import service, socket_ops
from kefu.channels.chat.models import Chat
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.tickets.models import Message, Ticket
from tests.ai.assistant_factories import make_shop
from tests.channels.chat.factories import make_widget

pytestmark = pytest.mark.usefixtures("runtime")
SYSTEM = Actor.system()
ARTICLE = "http://testserver/help/lumen/en/articles/shipping-times"  # the settings fixture


class Shopper:
    """A browser on the widget, doing what its socket does (kefu.channels.chat.socket)."""

    def __init__(self, database: Database, widget_id: int, locale: str = "en") -> None:
        self.database, self.widget_id, self.locale = database, widget_id, locale
        welcome = socket_ops.hello(database, widget_id, {"locale": locale}, utcnow())
        self.visitor_id = welcome.visitor_id
        self.chat_id = 0

    def says(self, body: str, client_id: str | None = None) -> int:
        frame = {"type": "message", "client_id": client_id or uuid.uuid4().hex, "body": body}
        sent = socket_ops.send(
            self.database, self.widget_id, self.visitor_id, frame, locale=self.locale,
            now=utcnow(),
        )  # fmt: skip
        self.chat_id = sent.chat["id"]
        dispatch_due(self.database)  # what the worker does after the commit
        return sent.entry.seq

    def sees(self, after: int = 0) -> list[tuple[int, str, str]]:
        found = socket_ops.catch_up(self.database, self.chat_id, after)
        return [(e.seq, e.author, e.body) for e in found]

    def chat(self) -> Any:
        with self.database.sessions() as session:
            return service.get_chat(session, self.chat_id)


def assistant_widget(database: Database, **fields: Any) -> int:
    shop = make_shop(database)
    widget, _secret = make_widget(database, store_id=shop.store_id, **fields)
    return widget.id


def ticket_messages(database: Database, ticket_id: int) -> list[Message]:
    with database.sessions() as session:
        rows = session.scalars(
            select(Message).where(Message.ticket_id == ticket_id).order_by(Message.id)
        )
        return list(rows)


def test_a_question_an_article_answers_is_answered_in_the_chat_with_the_link(
    database: Database,
) -> None:
    # given a widget whose assistant answers first
    shopper = Shopper(database, assistant_widget(database, assistant_first=True))
    # when the shopper asks what an article answers
    seq = shopper.says("How long does delivery to the UK take?")
    # then their entry is 1, the assistant's answer 2 with the article's link
    assert seq == 1
    [question, answer] = shopper.sees()
    assert question == (1, "visitor", "How long does delivery to the UK take?")
    assert answer[:2] == (2, "assistant")
    assert answer[2].startswith("From our help article “Shipping times”:\n")
    assert "3 to 5 working days" in answer[2]
    assert answer[2].endswith("\n" + ARTICLE)
    # and no agent is bothered: no ticket, nothing in the queue
    chat = shopper.chat()
    assert (chat.status, chat.ticket_id, chat.last_seq) == ("assistant", None, 2)
    with database.sessions() as session:
        assert service.waiting_chats(session) == []


def test_the_same_message_sent_again_is_stored_and_answered_once(database: Database) -> None:
    # given
    shopper = Shopper(database, assistant_widget(database, assistant_first=True))
    # when the widget re-sends a message after a reconnect (same client_id), and the
    # dispatcher runs again
    first = shopper.says("How long does delivery to the UK take?", client_id="c-1")
    again = shopper.says("How long does delivery to the UK take?", client_id="c-1")
    dispatch_due(database)
    # then one entry, one answer; a reconnect after seq 1 catches up with the answer only
    assert first == again == 1
    assert [(s, a) for s, a, _ in shopper.sees()] == [(1, "visitor"), (2, "assistant")]
    assert [(s, a) for s, a, _ in shopper.sees(after=1)] == [(2, "assistant")]


def test_order_status_is_told_only_after_verification(database: Database) -> None:
    # given
    shopper = Shopper(database, assistant_widget(database, assistant_first=True))
    # when the shopper asks for an order, then proves it with the order's email
    shopper.says("Where is my order 1001?")
    asked = shopper.sees()
    shopper.says("mallory@example.com")
    refused = shopper.sees(after=len(asked))
    shopper.says("Sorry, it is emily@example.com")
    told = shopper.sees(after=len(asked) + len(refused))
    # then the first two answers give nothing away, the third the tracking status
    assert asked[1] == (
        2, "assistant", "Thanks. And the email address you used for order 1001?"
    )  # fmt: skip
    assert refused[1][2].startswith("I could not match that order number")
    for entry in asked + refused:
        assert "RM123456789GB" not in entry[2] and "transit" not in entry[2].lower()
    [(_seq, author, body)] = told[1:]
    assert author == "assistant"
    assert "Shipment RM123456789GB (Royal Mail): In transit." in body
    assert "Leeds: Arrived at the sorting centre." in body
    assert shopper.chat().status == "assistant"


@pytest.mark.parametrize("ask", ["I want a human", "转人工", "人工客服"])
def test_asking_for_a_person_puts_the_chat_in_the_queue_with_the_summary(
    database: Database, ask: str
) -> None:
    # given a shopper the assistant already answered once
    shopper = Shopper(database, assistant_widget(database, assistant_first=True))
    shopper.says("How long does delivery to the UK take?")
    # when they ask for a person
    shopper.says(ask)
    # then the assistant says so, and the chat waits for an agent with its ticket
    said = shopper.sees(after=3)
    assert [a for _, a, _ in said] == ["assistant", "assistant"]
    assert said[-1][2] == (
        "A colleague will join this chat shortly; they can see what you wrote here."
    )
    chat = shopper.chat()
    assert chat.status == "waiting" and chat.ticket_id is not None
    with database.sessions() as session:
        assert [c.id for c in service.waiting_chats(session)] == [chat.id]
    # the ticket holds the summary and the conversation so far
    [first] = ticket_messages(database, chat.ticket_id)
    assert first.channel == "chat"
    assert first.body_text.startswith("Summary\nWants: How long does delivery to the UK take?")
    assert "The assistant offered: Shipping times" in first.body_text
    assert f"Customer: {ask}" in first.body_text
    assert first.details["assistant"]["reason"] == "asked"
    assert first.details["chat_id"] == chat.id
    # and the agent's ticket page shows the assistant's summary (the help center's panel)
    with database.sessions() as session:
        panel = summary_panel(session, SYSTEM, session.get(Ticket, chat.ticket_id))
    assert panel is not None and panel["source"] == "assistant"
    assert panel["summary"].pending == ["The customer asked for a person"]
    # what the shopper writes next reaches the ticket like any chat message
    shopper.says("Are you there?")
    later = ticket_messages(database, chat.ticket_id)
    assert [m.body_text for m in later[1:]] == ["Are you there?"]
    assert shopper.sees()[-1][1] == "visitor"


def test_a_question_no_article_covers_gets_i_dont_know_and_a_person(database: Database) -> None:
    shopper = Shopper(database, assistant_widget(database, assistant_first=True))
    shopper.says("Do your gift cards expire?")
    said = shopper.sees()
    assert said[1] == (2, "assistant", "I don't know, let me get a colleague.")
    assert "never expire" not in str(said)
    chat = shopper.chat()
    assert chat.status == "waiting"
    [first] = ticket_messages(database, chat.ticket_id)
    assert first.details["assistant"]["reason"] == "unknown"
    with database.sessions() as session:
        ticket = session.get(Ticket, chat.ticket_id)
        assert ticket is not None
        assert ticket.subject == "Live chat assistant: Do your gift cards expire?"


def test_with_the_setting_off_the_chat_goes_straight_to_the_agents(database: Database) -> None:
    # given a widget of the same store whose assistant does not answer first
    shopper = Shopper(database, assistant_widget(database))
    # when
    shopper.says("How long does delivery to the UK take?")
    # then as today: a waiting chat with its ticket, no assistant entry
    chat = shopper.chat()
    assert (chat.status, chat.last_seq) == ("waiting", 1)
    assert [a for _, a, _ in shopper.sees()] == ["visitor"]
    [first] = ticket_messages(database, chat.ticket_id)
    assert first.body_text == "How long does delivery to the UK take?"


def test_with_the_assistant_switched_off_the_setting_does_nothing(database: Database) -> None:
    widget_id = assistant_widget(database, assistant_first=True)
    with database.unit_of_work(actor=SYSTEM) as session:
        switches.save(session, actor=SYSTEM, on={"intent", "summaries"})
    shopper = Shopper(database, widget_id)
    shopper.says("How long does delivery to the UK take?")
    assert shopper.chat().status == "waiting"
    assert [a for _, a, _ in shopper.sees()] == ["visitor"]


def test_a_failing_assistant_hands_the_chat_over_instead_of_dropping_it(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given the assistant's article search breaks (a fault from below, e.g. a lost index)
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the article index is unreadable")

    shopper = Shopper(database, assistant_widget(database, assistant_first=True))
    monkeypatch.setattr(retrieval, "best_answer", broken)
    # when
    shopper.says("How long does delivery to the UK take?")
    # then the shopper is told, and the chat and its question are with the agents
    said = shopper.sees()
    assert said[1] == (
        2, "assistant", "Sorry, I cannot answer right now. I'm passing you to a colleague."
    )  # fmt: skip
    chat = shopper.chat()
    assert chat.status == "waiting"
    [first] = ticket_messages(database, chat.ticket_id)
    assert "Customer: How long does delivery to the UK take?" in first.body_text
    assert first.details["assistant"]["reason"] == "failure"


def test_chat_containment_and_hand_over_are_reported_beside_the_help_center(
    database: Database,
) -> None:
    # given one chat the shopper ended after an answer, and one handed over
    widget_id = assistant_widget(database, assistant_first=True)
    contained = Shopper(database, widget_id)
    contained.says("How long does delivery to the UK take?")
    socket_ops.end(database, contained.visitor_id, contained.chat_id)
    handed = Shopper(database, widget_id)
    handed.says("转人工")
    # when
    now = utcnow()
    with database.sessions() as session:
        chat = assistant_report(session, since=now - timedelta(days=1), until=now, surface="chat")
        helpcenter = assistant_report(
            session, since=now - timedelta(days=1), until=now, surface="helpcenter"
        )
        ended = session.get(Chat, contained.chat_id)
        assert ended is not None and ended.status == "ended"
    # then
    assert (chat.conversations, chat.contained, chat.handed_over) == (2, 1, 1)
    assert (chat.containment_rate, chat.handover_rate) == (0.5, 0.5)
    assert chat.by_reason["asked"] == 1
    assert helpcenter.conversations == 0
