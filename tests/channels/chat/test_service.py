"""Chat services: the queue, accept, limits, transfer, end, agents' replies, offline
messages, transcripts, identity tokens."""

import email
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from kefu.accounts import service as accounts
from kefu.accounts.schemas import TeamCreate
from kefu.accounts.service import actor_for
from kefu.channels.chat import offline, service, visitors
from kefu.channels.chat import transcript as transcripts
from kefu.channels.chat.identity import sign_identity, verify_identity
from kefu.channels.chat.models import Chat, ChatEntry
from kefu.channels.chat.replies import deliver_agent_reply
from kefu.channels.chat.schemas import OfflineMessageIn, PrechatIn
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.errors import InvalidInput, PermissionDenied
from kefu.events import Event
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.permissions import Role
from kefu.tickets import messages
from kefu.tickets.models import Ticket
from kefu.tickets.schemas import MessageCreate
from tests.accounts.factories import make_agent
from tests.channels.chat.factories import make_widget


def shopper_writes(database: Database, widget_id: int, body: str = "hello") -> int:
    """A new visitor sends one message; returns the chat id."""
    with database.unit_of_work() as session:
        from kefu.channels.chat.widgets import get_widget

        widget = get_widget(session, widget_id)
        now = utcnow()
        visitor = visitors.greet(session, widget=widget, token=None, identity=None, now=now).visitor
        chat = visitors.start_chat(
            session, widget=widget, visitor=visitor, prechat=PrechatIn(name="Li"), now=now
        )
        visitors.send_message(
            session, widget=widget, visitor=visitor, chat=chat, client_id="c-1", body=body, now=now
        )
        return chat.id


def entry_bodies(database: Database, chat_id: int) -> list[tuple[int, str, str]]:
    with database.sessions() as session:
        return [(e.seq, e.author, e.body) for e in service.entries(session, chat_id)]


def act(database: Database, fn: Any, **kwargs: Any) -> Any:
    with database.unit_of_work() as session:
        return fn(session, **kwargs)


def test_accepting_assigns_the_chat_and_its_ticket_and_says_so_in_the_chat(database):
    # given
    widget, _ = make_widget(database)
    ada = make_agent(database, name="Ada")
    chat_id = shopper_writes(database, widget.id)
    # when
    view = act(database, service.accept, actor=actor_for(ada), chat_id=chat_id)
    # then
    assert (view.status, view.agent_id, view.agent_name) == ("active", ada.id, "Ada")
    with database.sessions() as session:
        assert session.get(Ticket, view.ticket_id).assignee_id == ada.id
        assert service.waiting_chats(session) == []
        assert [c.id for c in service.agent_chats(session, ada.id)] == [chat_id]
        accepted = session.scalars(select(Event).where(Event.type == "chat.accepted")).one()
    assert accepted.payload["agent_id"] == ada.id
    assert entry_bodies(database, chat_id)[-1] == (2, "system", "Ada joined the chat")


def test_a_chat_taken_by_another_agent_cannot_be_accepted_again(database):
    widget, _ = make_widget(database)
    ada = make_agent(database, name="Ada")
    bo = make_agent(database, email="bo@example.com", name="Bo")
    chat_id = shopper_writes(database, widget.id)
    act(database, service.accept, actor=actor_for(ada), chat_id=chat_id)
    with pytest.raises(InvalidInput, match="already taken"):
        act(database, service.accept, actor=actor_for(bo), chat_id=chat_id)
    with database.sessions() as session:
        assert service.get_chat(session, chat_id).agent_id == ada.id


def test_an_agent_at_their_limit_cannot_accept_another_chat(database):
    # given a limit of one, and one active chat
    widget, _ = make_widget(database)
    ada = make_agent(database, name="Ada")
    lead = make_agent(database, email="lead@example.com", name="Lead", role=Role.MANAGER)
    act(database, service.set_limit, actor=actor_for(lead), agent_id=ada.id, max_chats=1)
    first = shopper_writes(database, widget.id)
    second = shopper_writes(database, widget.id)
    act(database, service.accept, actor=actor_for(ada), chat_id=first)
    # when / then
    with pytest.raises(InvalidInput, match="limit"):
        act(database, service.accept, actor=actor_for(ada), chat_id=second)
    with database.sessions() as session:
        assert [c.id for c in service.waiting_chats(session)] == [second]
        assert service.list_limits(session) == {ada.id: 1}


def test_only_a_manager_sets_chat_limits(database):
    ada = make_agent(database, name="Ada")
    with pytest.raises(PermissionDenied):
        act(database, service.set_limit, actor=actor_for(ada), agent_id=ada.id, max_chats=9)
    with database.sessions() as session:
        assert service.limit_of(session, ada.id) == 3


def test_transfer_to_an_agent_and_then_to_a_team_back_into_the_queue(database):
    # given
    widget, _ = make_widget(database)
    ada = make_agent(database, name="Ada")
    bo = make_agent(database, email="bo@example.com", name="Bo")
    with database.unit_of_work() as session:
        team = accounts.create_team(session, actor=Actor.system(), data=TeamCreate(name="Billing"))
    chat_id = shopper_writes(database, widget.id)
    act(database, service.accept, actor=actor_for(ada), chat_id=chat_id)
    # when
    to_bo = act(database, service.transfer, actor=actor_for(ada), chat_id=chat_id, agent_id=bo.id)
    to_team = act(database, service.transfer, actor=actor_for(bo), chat_id=chat_id, team_id=team.id)
    # then
    assert (to_bo.status, to_bo.agent_id) == ("active", bo.id)
    assert (to_team.status, to_team.agent_id, to_team.team_id) == ("waiting", None, team.id)
    with database.sessions() as session:
        ticket = session.get(Ticket, to_team.ticket_id)
        assert (ticket.assignee_id, ticket.team_id) == (None, team.id)
        assert [c.id for c in service.waiting_chats(session, team_ids=[team.id])] == [chat_id]
        assert service.waiting_chats(session, team_ids=[team.id + 1]) == []
    assert [body for _, author, body in entry_bodies(database, chat_id) if author == "system"] == [
        "Ada joined the chat",
        "Ada transferred the chat to Bo",
        "Bo transferred the chat to the Billing team",
    ]


def test_a_transfer_needs_exactly_one_target(database):
    widget, _ = make_widget(database)
    ada = make_agent(database, name="Ada")
    chat_id = shopper_writes(database, widget.id)
    with pytest.raises(InvalidInput):
        act(database, service.transfer, actor=actor_for(ada), chat_id=chat_id)


def test_ending_twice_ends_once(database):
    widget, _ = make_widget(database)
    ada = make_agent(database, name="Ada")
    chat_id = shopper_writes(database, widget.id)
    act(database, service.end, actor=actor_for(ada), chat_id=chat_id)
    act(database, service.end, actor=actor_for(ada), chat_id=chat_id)
    with database.sessions() as session:
        assert session.scalar(select(func.count()).where(Event.type == "chat.ended")) == 1
    assert entry_bodies(database, chat_id)[-1] == (2, "system", "Ada ended the chat")


def test_an_agent_reply_becomes_one_entry_however_often_it_is_delivered(database):
    widget, _ = make_widget(database)
    ada = make_agent(database, name="Ada")
    chat_id = shopper_writes(database, widget.id)
    with database.unit_of_work() as session:
        ticket_id = session.get(Chat, chat_id).ticket_id
        reply = messages.add_message(
            session, actor=actor_for(ada), ticket_id=ticket_id, data=MessageCreate(body_text="Hi")
        )
    dispatch_due(database)
    again = act(database, deliver_agent_reply, message_id=reply.id)
    assert again is None
    assert entry_bodies(database, chat_id) == [(1, "visitor", "hello"), (2, "agent", "Hi")]


def test_an_internal_note_never_reaches_the_shopper(database):
    widget, _ = make_widget(database)
    ada = make_agent(database, name="Ada")
    chat_id = shopper_writes(database, widget.id)
    with database.unit_of_work() as session:
        ticket_id = session.get(Chat, chat_id).ticket_id
        messages.add_message(
            session,
            actor=actor_for(ada),
            ticket_id=ticket_id,
            data=MessageCreate(kind="note", body_text="VIP, be nice"),
        )
    dispatch_due(database)
    assert entry_bodies(database, chat_id) == [(1, "visitor", "hello")]


def test_an_offline_message_opens_an_email_ticket_once(database):
    widget, _ = make_widget(database)
    data = OfflineMessageIn(name="Mei", email="mei@example.com", body="Call me back")
    with database.unit_of_work() as session:
        from kefu.channels.chat.widgets import get_widget

        found = get_widget(session, widget.id)
        visitor = visitors.greet(
            session, widget=found, token=None, identity=None, now=utcnow()
        ).visitor
        first = offline.offline_message(
            session, widget=found, visitor=visitor, data=data, client_id="o-1", now=utcnow()
        )
        again = offline.offline_message(
            session, widget=found, visitor=visitor, data=data, client_id="o-1", now=utcnow()
        )
    assert again.ticket_id == first.ticket_id and again.is_duplicate
    with database.sessions() as session:
        ticket = session.get(Ticket, first.ticket_id)
        assert (ticket.channel, ticket.subject) == ("email", "Message from the chat on Shop")
        assert session.scalar(select(func.count()).select_from(Chat)) == 0


def test_the_transcript_is_mailed_once_when_the_chat_ends(database, runtime, caplog):
    # given a shopper who asked for the transcript
    widget, _ = make_widget(database)
    ada = make_agent(database, name="Ada")
    chat_id = shopper_writes(database, widget.id, body="Is the red one in stock?")
    with database.unit_of_work() as session:
        chat = session.get(Chat, chat_id)
        visitor = visitors.visitor_by_id(session, chat.visitor_id)
        transcripts.request_transcript(
            session, visitor=visitor, chat_id=chat_id, email="Li@Example.com"
        )
    # when the agent ends it and the handlers run (twice)
    act(database, service.end, actor=actor_for(ada), chat_id=chat_id)
    with caplog.at_level(logging.WARNING, logger="kefu.kit.mailer"):
        dispatch_due(database)
        dispatch_due(database)
    # then
    mails = [r.getMessage() for r in caplog.records if "li@example.com" in r.getMessage()]
    assert len(mails) == 1
    mail = email.message_from_string(mails[0].split("not sent:\n", 1)[1])
    text = mail.get_payload(decode=True).decode("utf-8")
    assert mail["Subject"] == "Your chat with Shop"
    assert "Li: Is the red one in stock?" in text
    assert "— Ada ended the chat" in text
    with database.sessions() as session:
        assert session.get(Chat, chat_id).transcript_sent_at is not None


def test_seqs_are_consecutive_across_authors(database):
    widget, _ = make_widget(database)
    ada = make_agent(database, name="Ada")
    chat_id = shopper_writes(database, widget.id)
    act(database, service.accept, actor=actor_for(ada), chat_id=chat_id)
    with database.unit_of_work() as session:
        ticket_id = session.get(Chat, chat_id).ticket_id
        messages.add_message(
            session, actor=actor_for(ada), ticket_id=ticket_id, data=MessageCreate(body_text="1")
        )
    dispatch_due(database)
    act(database, service.end, actor=actor_for(ada), chat_id=chat_id)
    with database.sessions() as session:
        seqs = list(session.scalars(select(ChatEntry.seq).order_by(ChatEntry.id)))
        assert seqs == [1, 2, 3, 4] and session.get(Chat, chat_id).last_seq == 4


NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def test_an_identity_token_round_trips_and_a_changed_one_is_refused():
    signed = sign_identity(
        "s3cret", external_id="42", email="a@b.example", expires_at=NOW + timedelta(hours=1)
    )
    known = verify_identity("s3cret", signed, now=NOW)
    assert (known.external_id, known.email) == ("42", "a@b.example")
    _payload, signature = signed.split(".")
    forged = sign_identity("s3cret", external_id="43", expires_at=NOW + timedelta(hours=1))
    with pytest.raises(InvalidInput, match="signature"):
        verify_identity("s3cret", forged.split(".")[0] + "." + signature, now=NOW)
    with pytest.raises(InvalidInput, match="signature"):
        verify_identity("other", signed, now=NOW)


def test_an_expired_identity_token_is_refused():
    signed = sign_identity("s3cret", external_id="42", expires_at=NOW - timedelta(seconds=1))
    with pytest.raises(InvalidInput, match="expired"):
        verify_identity("s3cret", signed, now=NOW)
