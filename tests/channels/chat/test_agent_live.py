"""Live chat in the agent event stream, through a real server: the waiting count follows the
queue, and a ticket page showing a chat gets its entries, the shopper's typing and status
changes."""

import json
from typing import Any

from starlette.requests import Request

from kefu.accounts import service as accounts
from kefu.channels.chat import agent_live
from kefu.channels.chat import service as chats
from kefu.db import Database
from kefu.kit.broadcast import Broadcast
from kefu.permissions import Role
from kefu.runtime import Runtime
from tests.accounts.factories import make_agent
from tests.channels.chat.agent_factories import make_widget, shopper_says, start_chat
from tests.tickets.test_presence import browser_session, next_event


def data(event: dict[str, str]) -> Any:
    return json.loads(event["data"])


def test_the_waiting_count_follows_the_queue(
    live_server: str, runtime: Runtime, database: Database, broadcast: Broadcast
) -> None:
    runtime.broadcast = broadcast
    make_agent(database, email="bo@example.com", name="Bo Chen")
    widget_id = make_widget(database)
    bo = browser_session(live_server, "bo@example.com")
    with bo.stream("GET", "/stream") as response:
        lines = response.iter_lines()
        # given nobody waits
        first = data(next_event(lines, "chats"))
        assert first["waiting"] == 0 and "notification-count" not in first["html"]
        # when a shopper starts a chat
        started = start_chat(database, widget_id=widget_id)
        # then the count in the top bar says so, without a reload
        event = data(next_event(lines, "chats"))

        assert event["waiting"] == 1 and "1 chat waiting" in event["html"]
        # and when Bo accepts it, it drops again
        bo.post(f"/chats/{started.chat_id}/accept", data={})
        assert data(next_event(lines, "chats"))["waiting"] == 0
    bo.close()


def test_a_chat_on_the_page_streams_entries_typing_and_status(
    live_server: str, runtime: Runtime, database: Database, broadcast: Broadcast
) -> None:
    runtime.broadcast = broadcast
    bo_agent = make_agent(database, email="bo@example.com", name="Bo Chen")
    widget_id = make_widget(database)
    started = start_chat(database, widget_id=widget_id)
    bo = browser_session(live_server, "bo@example.com")
    with bo.stream("GET", "/stream", params={"chat": started.chat_id}) as response:
        lines = response.iter_lines()
        next_event(lines, "chats")
        # when the shopper writes again
        shopper_says(database, started, widget_id, "It was due on Monday <b>!</b>")
        # then the ticket page gets the entry to append, with its message id
        entry = data(next_event(lines, "chat"))
        assert (entry["chat_id"], entry["kind"], entry["seq"]) == (started.chat_id, "entry", 2)
        assert entry["message_id"] and f'id="message-{entry["message_id"]}"' in entry["html"]
        assert "It was due on Monday &lt;b&gt;!&lt;/b&gt;" in entry["html"]
        assert "Mei Lin" in entry["html"]
        # when the shopper types, the page shows it; the agent's own typing is not echoed
        chats.publish_typing(broadcast, started.chat_id, author="agent", name="Bo Chen", on=True)
        # (the widget's typing frame has no name: the page is told who it is)
        chats.publish_typing(broadcast, started.chat_id, author="visitor", name="", on=True)
        typing = data(next_event(lines, "chat"))
        assert typing == {
            "chat_id": started.chat_id,
            "kind": "typing",
            "on": True,
            "text": "Mei Lin is typing…",
        }
        # when an agent accepts, the page is told to reload the panel, then gets the
        # "joined" line
        with database.unit_of_work() as session:
            chats.accept(session, actor=accounts.actor_for(bo_agent), chat_id=started.chat_id)
        kinds = [data(next_event(lines, "chat")) for _ in range(2)]
        assert {k["kind"] for k in kinds} == {"entry", "status"}
        joined = next(k for k in kinds if k["kind"] == "entry")
        assert joined["message_id"] is None and "Bo Chen joined the chat" in joined["html"]
        assert next(k for k in kinds if k["kind"] == "status")["status"] == "active"
    bo.close()


def test_a_stream_follows_at_most_twenty_chats_and_ignores_junk(database: Database) -> None:
    agent = accounts.actor_for(make_agent(database, email="bo@example.com", name="Bo Chen"))
    light = accounts.actor_for(
        make_agent(database, email="li@example.com", name="Li", role=Role.LIGHT_AGENT)
    )
    query = "&".join(["chat=x", "chat=-1", "chat=3", "chat=3"] + [f"chat={n}" for n in range(40)])
    request = Request({"type": "http", "query_string": query.encode(), "headers": []})
    followed = agent_live.channels(request, agent)
    assert followed == [f"chat:{n}" for n in [3, 0, 1, 2, *range(4, 20)]] + ["chats:queue"]
    # a light agent may read a chat's ticket but answers no chats: no queue
    assert agent_live.channels(request, light)[-1] == "chat:19"


def test_a_reconnecting_page_catches_up_on_what_was_said_meanwhile(
    live_server: str, runtime: Runtime, database: Database, broadcast: Broadcast
) -> None:
    runtime.broadcast = broadcast
    make_agent(database, email="bo@example.com", name="Bo Chen")
    widget_id = make_widget(database)
    started = start_chat(database, widget_id=widget_id)  # entry 1, the page shows it
    # given the shopper wrote twice while the page's stream was away (a restart)
    shopper_says(database, started, widget_id, "Are you there?")
    shopper_says(database, started, widget_id, "Hello??")
    bo = browser_session(live_server, "bo@example.com")
    # when the page's stream comes back, saying what it showed when it was drawn
    params = {"chat": started.chat_id, "chat_seq": f"{started.chat_id}:1"}
    with bo.stream("GET", "/stream", params=params) as response:
        lines = response.iter_lines()
        next_event(lines, "chats")
        caught_up = [data(next_event(lines, "chat")) for _ in range(2)]
    # then it gets the two entries it missed, in order, and nothing it had
    assert [(e["kind"], e["seq"]) for e in caught_up] == [("entry", 2), ("entry", 3)]
    assert "Are you there?" in caught_up[0]["html"] and "Hello??" in caught_up[1]["html"]
    bo.close()
