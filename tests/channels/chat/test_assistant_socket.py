"""The assistant in the widget's websocket: the shopper's message is acked at once and the
assistant answers after the commit, from the outbox, never on the socket; its entry arrives
on the open socket in seq order, and once after a reconnect."""

from typing import Any

from sqlalchemy import select

from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.events import EventDelivery
from tests.ai.assistant_factories import make_shop
from tests.channels.chat.factories import make_widget
from tests.channels.chat.test_socket import connect, hello


def test_the_message_is_acked_at_once_and_the_answer_follows_from_the_outbox(
    client: Any, database: Database
) -> None:
    # given a widget whose assistant answers first
    shop = make_shop(database)
    widget, _secret = make_widget(database, store_id=shop.store_id, assistant_first=True)
    with connect(client, widget.public_key) as ws:
        token = hello(ws)["visitor"]
        # when the shopper writes
        ws.send_json({"type": "message", "client_id": "c-1", "body": "How do refunds work?"})
        got = {frame["type"]: frame for frame in (ws.receive_json() for _ in range(3))}
        # then the chat is the assistant's and the message is acked before any answer: the
        # socket answers a ping while the assistant's turn waits in the outbox
        assert got["chat"]["chat"]["status"] == "assistant"
        assert got["ack"] == {"type": "ack", "client_id": "c-1", "seq": 1}
        assert got["entry"]["author"] == "visitor"
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong"}
        with database.sessions() as session:
            pending = session.scalars(
                select(EventDelivery.status).where(EventDelivery.handler == "chat.assistant_answer")
            ).all()
        assert pending == ["pending"]
        # when the worker runs the outbox, the answer comes on the open socket, next in seq
        dispatch_due(database)
        answer = ws.receive_json()
        assert (answer["type"], answer["seq"], answer["author"]) == ("entry", 2, "assistant")
        assert "Refunds and returns" in answer["body"]
        assert answer["body"].endswith("http://testserver/help/lumen/en/articles/refunds")
    # and a widget that saw only seq 1 gets the answer once after reconnecting
    with connect(client, widget.public_key) as ws:
        welcome = hello(ws, visitor=token, chat=got["chat"]["chat"]["id"], last_seq=1)
        caught = ws.receive_json()
        ws.send_json({"type": "ping"})
        assert ws.receive_json() == {"type": "pong"}
    assert welcome["chat"]["status"] == "assistant" and welcome["chat"]["last_seq"] == 2
    assert (caught["seq"], caught["body"]) == (2, answer["body"])
