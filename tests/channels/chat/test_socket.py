"""The widget websocket through the app: hello, acks, idempotent re-sends, catching up,
agents' replies, typing, origins and limits."""

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.websockets import WebSocketDisconnect

from kefu.channels.chat import service
from kefu.channels.chat.identity import sign_identity
from kefu.channels.chat.limits import RateLimiter
from kefu.channels.chat.models import Chat, ChatEntry
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.kit.clock import utcnow
from kefu.tickets import messages
from kefu.tickets.models import Message, Ticket
from kefu.tickets.schemas import MessageCreate
from tests.accounts.factories import make_agent
from tests.channels.chat.factories import make_widget

SHOP = "https://shop.example"


def connect(client: Any, key: str, origin: str = SHOP) -> Any:
    return client.websocket_connect(f"/chat/ws?widget={key}", headers={"origin": origin})


def hello(ws: Any, **fields: Any) -> dict[str, Any]:
    ws.send_json({"type": "hello", "visitor": None, "last_seq": 0, "locale": "en", **fields})
    welcome = ws.receive_json()
    assert welcome["type"] == "welcome"
    return welcome


def frames_until(ws: Any, wanted: int) -> list[dict[str, Any]]:
    """Frames up to and including the entry with seq `wanted`."""
    got = []
    while True:
        frame = ws.receive_json()
        got.append(frame)
        if frame["type"] == "entry" and frame["seq"] == wanted:
            return got


def send_message(ws: Any, client_id: str, body: str, **fields: Any) -> dict[str, Any]:
    """Sends, and returns the ack once the message's entry has come too (or the error)."""
    ws.send_json({"type": "message", "client_id": client_id, "body": body, **fields})
    ack, entry = None, None
    while ack is None or entry is None:
        frame = ws.receive_json()
        if frame["type"] == "error":
            return frame
        if frame["type"] == "ack":
            ack = frame
        if frame["type"] == "entry" and frame["client_id"] == client_id:
            entry = frame
    return ack


def agent_reply(database: Database, agent: Any, ticket_id: int, body: str) -> None:
    from kefu.accounts.service import actor_for

    with database.unit_of_work() as session:
        messages.add_message(
            session,
            actor=actor_for(agent),
            ticket_id=ticket_id,
            data=MessageCreate(body_text=body),
        )
    dispatch_due(database)


def test_first_message_opens_a_chat_ticket_and_is_acked_after_commit(client, database):
    # given
    widget, _secret = make_widget(database)
    with connect(client, widget.public_key) as ws:
        welcome = hello(ws, page={"url": "https://shop.example/p/1", "title": "Red shoes"})
        assert welcome["chat"] is None and welcome["online"] is True
        # when
        ws.send_json({"type": "message", "client_id": "c-1", "body": "Do you ship to Lyon?"})
        got = {frame["type"]: frame for frame in (ws.receive_json() for _ in range(3))}
        chat_frame, ack, entry = got["chat"], got["ack"], got["entry"]
    # then
    assert chat_frame["type"] == "chat" and chat_frame["chat"]["status"] == "waiting"
    assert ack == {"type": "ack", "client_id": "c-1", "seq": 1}
    assert entry["type"] == "entry" and entry["seq"] == 1 and entry["author"] == "visitor"
    assert entry["body"] == "Do you ship to Lyon?" and entry["client_id"] == "c-1"
    with database.sessions() as session:
        chat = session.get(Chat, chat_frame["chat"]["id"])
        ticket = session.get(Ticket, chat.ticket_id)
        assert ticket.channel == "chat"
        assert [m.body_text for m in messages.list_messages(session, ticket.id)] == [
            "Do you ship to Lyon?"
        ]
        assert [c.id for c in service.waiting_chats(session)] == [chat.id]


def test_a_resent_client_id_is_acked_with_the_same_seq_and_stored_once(client, database):
    # given a message sent and acked, then the connection dropped
    widget, _secret = make_widget(database)
    with connect(client, widget.public_key) as ws:
        token = hello(ws)["visitor"]
        first = send_message(ws, "c-1", "hello")
    # when the widget re-sends it after reconnecting
    with connect(client, widget.public_key) as ws:
        welcome = hello(ws, visitor=token, chat=None, last_seq=0)
        again = send_message(ws, "c-1", "hello")
    # then
    assert welcome["visitor"] == token and welcome["chat"]["last_seq"] == 1
    assert again == first == {"type": "ack", "client_id": "c-1", "seq": 1}
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ChatEntry)) == 1
        assert session.scalar(select(func.count()).select_from(Message)) == 1


def test_reconnecting_gets_exactly_the_entries_after_last_seq_in_order(client, database):
    # given three messages, of which the widget saw the first
    widget, _secret = make_widget(database)
    agent = make_agent(database)
    with connect(client, widget.public_key) as ws:
        token = hello(ws)["visitor"]
        send_message(ws, "c-1", "one")
        send_message(ws, "c-2", "two")
    with database.sessions() as session:
        chat = session.scalars(select(Chat)).one()
    agent_reply(database, agent, chat.ticket_id, "three, from the agent")
    # when
    with connect(client, widget.public_key) as ws:
        welcome = hello(ws, visitor=token, chat=chat.id, last_seq=1)
        got = frames_until(ws, 3)
    # then
    assert welcome["chat"]["id"] == chat.id
    assert [(f["seq"], f["author"], f["body"]) for f in got] == [
        (2, "visitor", "two"),
        (3, "agent", "three, from the agent"),
    ]
    assert got[1]["name"] == agent.name


def test_an_agent_reply_reaches_the_open_socket_and_takes_the_waiting_chat(client, database):
    # given
    widget, _secret = make_widget(database)
    agent = make_agent(database, name="Ada")
    with connect(client, widget.public_key) as ws:
        hello(ws)
        send_message(ws, "c-1", "anyone there?")
        with database.sessions() as session:
            chat = session.scalars(select(Chat)).one()
        # when
        agent_reply(database, agent, chat.ticket_id, "Hi, Ada here")
        status = ws.receive_json()
        entry = ws.receive_json()
    # then
    assert status == {"type": "status", "status": "active", "agent": {"name": "Ada"}}
    assert (entry["seq"], entry["author"], entry["name"], entry["body"]) == (
        2,
        "agent",
        "Ada",
        "Hi, Ada here",
    )
    with database.sessions() as session:
        assert session.get(Chat, chat.id).agent_id == agent.id


def test_typing_goes_to_the_chat_channel_and_the_agent_typing_back_to_the_widget(
    client, database, runtime
):
    widget, _secret = make_widget(database)
    with connect(client, widget.public_key) as ws:
        hello(ws)
        send_message(ws, "c-1", "hi")
        with database.sessions() as session:
            chat_id = session.scalars(select(Chat.id)).one()
        # when the agent types
        service.publish_typing(runtime.broadcast, chat_id, author="agent", name="Ada", on=True)
        frame = ws.receive_json()
    # then
    assert frame == {"type": "typing", "author": "agent", "name": "Ada", "on": True}


def test_an_origin_not_allowed_is_refused_before_the_socket_opens(client, database):
    widget, _secret = make_widget(database, allowed_origins=[SHOP])
    evil = "https://evil.example"
    with pytest.raises(WebSocketDisconnect) as refused, connect(client, widget.public_key, evil):
        pass
    assert refused.value.code == 4403
    with connect(client, widget.public_key, origin=SHOP) as ws:
        assert hello(ws)["type"] == "welcome"


def test_an_unknown_widget_is_refused(client, database):
    with pytest.raises(WebSocketDisconnect) as refused, connect(client, "no-such-key") as ws:
        ws.receive_json()
    assert refused.value.code == 4404


def test_messages_over_the_rate_are_refused_with_retry_after_and_not_stored(client, database):
    # given a limiter with a burst of 2 that refills slowly
    client.app.state.chat_limiter = RateLimiter(burst=2, refill_seconds=3600)
    widget, _secret = make_widget(database)
    with connect(client, widget.public_key) as ws:
        hello(ws)
        assert send_message(ws, "c-1", "one")["type"] == "ack"
        assert send_message(ws, "c-2", "two")["type"] == "ack"
        # when
        refused = send_message(ws, "c-3", "three")
    # then
    assert refused["code"] == "rate_limited" and refused["client_id"] == "c-3"
    assert refused["retry_after"] > 3000
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ChatEntry)) == 2


def test_a_message_over_the_size_limit_is_refused_and_not_stored(client, database):
    widget, _secret = make_widget(database)
    with connect(client, widget.public_key) as ws:
        hello(ws)
        refused = send_message(ws, "c-1", "x" * 5001)
    assert (refused["code"], refused["client_id"]) == ("too_large", "c-1")
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Message)) == 0


def test_a_required_prechat_field_must_be_given_before_chatting(client, database):
    widget, _secret = make_widget(
        database, prechat_fields={"name": "required", "email": "optional", "order": "off"}
    )
    with connect(client, widget.public_key) as ws:
        hello(ws)
        refused = send_message(ws, "c-1", "hi")
        ws.send_json({"type": "start", "name": "Li Lei", "email": "li@example.com"})
        started = ws.receive_json()
        accepted = send_message(ws, "c-1", "hi")
    assert refused["code"] == "prechat_required"
    assert started["type"] == "chat" and started["chat"]["status"] == "waiting"
    assert accepted == {"type": "ack", "client_id": "c-1", "seq": 1}
    with database.sessions() as session:
        view = service.waiting_chats(session)[0]
    assert (view.visitor_name, view.visitor_email) == ("Li Lei", "li@example.com")


def test_a_signed_identity_links_the_visitor_to_the_store_customer(client, database):
    widget, secret = make_widget(database)
    signed = sign_identity(
        secret,
        external_id="cust-42",
        email="mei@example.com",
        name="Mei",
        expires_at=utcnow() + timedelta(hours=1),
    )
    with connect(client, widget.public_key) as ws:
        welcome = hello(ws, identity=signed)
        send_message(ws, "c-1", "where is my order?")
    assert welcome["name"] == "Mei"
    with database.sessions() as session:
        view = service.waiting_chats(session)[0]
        ticket = session.get(Ticket, view.ticket_id)
    assert view.visitor_email == "mei@example.com" and ticket.requester_id == view.customer_id


def test_a_forged_identity_is_refused_and_the_shopper_stays_anonymous(client, database):
    widget, secret = make_widget(database)
    signed = sign_identity(
        secret + "x", external_id="cust-42", expires_at=utcnow() + timedelta(hours=1)
    )
    with connect(client, widget.public_key) as ws:
        ws.send_json({"type": "hello", "visitor": None, "identity": signed, "last_seq": 0})
        error = ws.receive_json()
        welcome = ws.receive_json()
    assert error["type"] == "error" and error["code"] == "identity_refused"
    assert welcome["type"] == "welcome" and welcome["name"] == ""


def test_the_shopper_ends_and_rates_the_chat(client, database):
    widget, _secret = make_widget(database)
    agent = make_agent(database)
    with connect(client, widget.public_key) as ws:
        hello(ws)
        send_message(ws, "c-1", "hi")
        with database.sessions() as session:
            chat = session.scalars(select(Chat)).one()
        agent_reply(database, agent, chat.ticket_id, "hello!")
        frames_until(ws, 2)
        # when
        ws.send_json({"type": "end"})
        ended = [ws.receive_json() for _ in range(2)]
        ws.send_json({"type": "rate", "score": 5, "comment": "quick and kind"})
        rated = ws.receive_json()
    # then
    assert {f["type"] for f in ended} == {"status", "entry"}
    assert next(f for f in ended if f["type"] == "status")["status"] == "ended"
    assert rated == {"type": "ok", "for": "rate"}
    with database.sessions() as session:
        chat = session.get(Chat, chat.id)
    assert (chat.status, chat.rating, chat.rating_comment) == ("ended", 5, "quick and kind")


def listen(broadcast: Any, channel: str, count: int) -> tuple[Any, list[Any], Any]:
    """Collect `count` messages published on `channel`, in a thread with its own loop."""
    import asyncio
    import threading

    got: list[Any] = []
    ready = threading.Event()

    async def collect() -> None:
        async with broadcast.subscribe(channel) as subscription:
            ready.set()
            for _ in range(count):
                received = await subscription.receive(timeout=20)
                if received is None:
                    return
                got.append(received[1])

    thread = threading.Thread(target=asyncio.run, args=(collect(),))
    thread.start()
    ready.wait(20)
    return thread, got, ready


def test_the_visitors_typing_reaches_the_agents_with_their_prechat_name(client, database, runtime):
    widget, _secret = make_widget(database)
    with connect(client, widget.public_key) as ws:
        hello(ws)
        ws.send_json({"type": "start", "name": "Mei Chen"})
        chat_id = ws.receive_json()["chat"]["id"]
        thread, got, _ready = listen(runtime.broadcast, f"chat:{chat_id}", 1)
        # when
        ws.send_json({"type": "typing", "on": True})
        thread.join(30)
    # then
    assert got == [
        {"type": "typing", "chat_id": chat_id, "author": "visitor", "name": "Mei Chen", "on": True}
    ]
