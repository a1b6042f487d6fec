"""Two kefu processes and a real Redis on loopback: the shopper's widget socket on one, the
agent on the other (the JSON API and its chat event stream), talking normally."""

import asyncio
import contextlib
import json
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from websockets.asyncio.client import connect

from kefu.accounts.auth import create_api_token
from kefu.accounts.service import actor_for
from kefu.config import Settings
from kefu.db import Database
from tests.accounts.factories import make_agent
from tests.channels.chat.factories import make_widget, set_online
from tests.channels.chat.kefu_pair import kefu_servers
from tests.live import run

pytestmark = [pytest.mark.redis, pytest.mark.slow]
WAIT = 30


class Shopper:
    """The widget's side: every frame kept, in arrival order."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.frames: list[dict[str, Any]] = []

    async def send(self, **frame: Any) -> None:
        await self.ws.send(json.dumps(frame))

    async def until(self, wanted: Any) -> dict[str, Any]:
        async with asyncio.timeout(WAIT):
            while True:
                frame = json.loads(await self.ws.recv())
                self.frames.append(frame)
                if wanted(frame):
                    return frame

    def entries(self) -> list[tuple[int, str, str]]:
        return [(f["seq"], f["author"], f["body"]) for f in self.frames if f["type"] == "entry"]


class AgentStream:
    """The agent's event stream of one chat (server-sent events), read in the background."""

    def __init__(self) -> None:
        self.events: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue()
        self.seen: list[tuple[str, dict[str, Any]]] = []

    async def read(self, client: httpx.AsyncClient, url: str, ready: asyncio.Event) -> None:
        async with client.stream("GET", url, timeout=None) as response:
            event = ""
            async for line in response.aiter_lines():
                if line.startswith(":"):
                    ready.set()
                elif line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:"):
                    await self.events.put((event, json.loads(line.split(":", 1)[1])))

    async def until(self, event: str, wanted: Any) -> dict[str, Any]:
        async with asyncio.timeout(WAIT):
            while True:
                got = await self.events.get()
                self.seen.append(got)
                if got[0] == event and wanted(got[1]):
                    return got[1]


async def conversation(shop_base: str, agent_base: str, widget_key: str, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    ws_url = shop_base.replace("http", "ws") + f"/chat/ws?widget={widget_key}"
    async with (
        connect(ws_url, origin="https://shop.example") as ws,  # type: ignore[arg-type]
        httpx.AsyncClient(base_url=agent_base, headers=headers, timeout=WAIT) as agent,
    ):
        shopper = Shopper(ws)
        await shopper.send(type="hello", visitor=None, last_seq=0, locale="en")
        await shopper.until(lambda f: f["type"] == "welcome")
        # the shopper writes on process A …
        await shopper.send(type="message", client_id="c-1", body="Is this in stock?")
        ack = await shopper.until(lambda f: f["type"] == "ack")
        chat_id = next(f["chat"]["id"] for f in shopper.frames if f["type"] == "chat")
        # … and the agent on process B finds it in the queue, follows it and accepts it
        queue = (await agent.get("/api/v1/chats")).json()
        assert [c["id"] for c in queue] == [chat_id]
        stream, ready = AgentStream(), asyncio.Event()
        reader = asyncio.create_task(stream.read(agent, f"/api/v1/chats/{chat_id}/stream", ready))
        try:
            async with asyncio.timeout(WAIT):
                await ready.wait()
            accepted = await agent.post(f"/api/v1/chats/{chat_id}/accept")
            assert accepted.status_code == 200, accepted.text
            status = await shopper.until(lambda f: f["type"] == "status")
            # typing both ways, across the processes
            await agent.post(f"/api/v1/chats/{chat_id}/typing", json={"on": True})
            typing = await shopper.until(lambda f: f["type"] == "typing")
            await shopper.send(type="typing", on=True)
            visitor_typing = await stream.until("typing", lambda d: d["author"] == "visitor")
            # a message each way
            await shopper.send(type="message", client_id="c-2", body="Size 38, please")
            seen_by_agent = await stream.until("entry", lambda d: d.get("client_id") == "c-2")
            reply = await agent.post(
                f"/api/v1/tickets/{accepted.json()['ticket_id']}/messages",
                json={"body_text": "Yes, size 38 is in stock."},
            )
            assert reply.status_code == 201, reply.text
            await shopper.until(lambda f: f["type"] == "entry" and f["author"] == "agent")
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
    assert ack == {"type": "ack", "client_id": "c-1", "seq": 1}
    assert status == {"type": "status", "status": "active", "agent": {"name": "Ada"}}
    assert typing == {"type": "typing", "author": "agent", "name": "Ada", "on": True}
    assert visitor_typing["on"] is True
    assert (seen_by_agent["seq"], seen_by_agent["body"]) == (3, "Size 38, please")
    assert shopper.entries() == [
        (1, "visitor", "Is this in stock?"),
        (2, "system", "Ada joined the chat"),
        (3, "visitor", "Size 38, please"),
        (4, "agent", "Yes, size 38 is in stock."),
    ]


def test_a_shopper_on_one_process_and_an_agent_on_another_talk_through_redis(
    database: Database, settings: Settings, redis_url: str, tmp_path: Path
) -> None:
    # given a widget, an online agent with an API token, and two kefu processes on one Redis
    widget, _ = make_widget(database, allowed_origins=["https://shop.example"])
    ada = make_agent(database, name="Ada")
    set_online(database, ada.id)
    with database.unit_of_work() as session:
        _row, token = create_api_token(session, actor=actor_for(ada), name="test")
    database.dispose()  # the servers' turn to use the database (SQLite: one writer)
    options = {
        "database_url": settings.database_url,
        "data_dir": tmp_path / "shared",
        "secret_key": str(settings.secret_key),
        "redis_url": redis_url,
    }
    with kefu_servers(2, **options) as (shop_base, agent_base):
        # when / then
        run(conversation(shop_base, agent_base, widget.public_key, token))
