"""The kefu process restarts mid-chat: the widget's socket is closed as a restart (1012), the
widget reconnects with what it has, re-sends what was not acked, and every message is stored
and shown exactly once, in order."""

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from kefu.channels.chat.models import ChatEntry
from kefu.config import Settings
from kefu.db import Database
from kefu.tickets.models import Message
from tests.channels.chat.factories import make_widget
from tests.channels.chat.kefu_pair import start_kefu, stop_kefu
from tests.conftest import free_port
from tests.live import run

pytestmark = pytest.mark.slow


async def frames_until(ws: Any, wanted: Any, seen: list[dict[str, Any]]) -> dict[str, Any]:
    while True:
        frame = json.loads(await ws.recv())
        seen.append(frame)
        if wanted(frame):
            return frame


def test_a_restart_mid_chat_loses_and_doubles_nothing(
    database: Database, settings: Settings, tmp_path: Path
) -> None:
    widget, _ = make_widget(database)
    database.dispose()
    port = free_port()
    options: dict[str, Any] = {
        "database_url": settings.database_url,
        "data_dir": tmp_path / "data",
        "secret_key": str(settings.secret_key),
        "redis_url": None,
        "port": port,
    }
    url = f"ws://127.0.0.1:{port}/chat/ws?widget={widget.public_key}"
    _base, process = start_kefu(**options)
    before: list[dict[str, Any]] = []
    after: list[dict[str, Any]] = []
    closed: dict[str, Any] = {}

    async def first_half() -> str:
        async with connect(url) as ws:
            await ws.send(json.dumps({"type": "hello", "visitor": None, "last_seq": 0}))
            welcome = await frames_until(ws, lambda f: f["type"] == "welcome", before)
            await ws.send(json.dumps({"type": "message", "client_id": "c-1", "body": "one"}))
            await frames_until(ws, lambda f: f["type"] == "entry", before)
            stop_kefu(process)  # the restart
            try:
                await ws.recv()
            except ConnectionClosed as exc:
                closed["code"] = exc.rcvd.code if exc.rcvd else None
            return str(welcome["visitor"])

    async def second_half(token: str, chat_id: int) -> None:
        async with connect(url) as ws:
            hello = {"type": "hello", "visitor": token, "chat": chat_id, "last_seq": 1}
            await ws.send(json.dumps(hello))
            await frames_until(ws, lambda f: f["type"] == "welcome", after)
            # "one" as if its ack had been lost, then a new message
            await ws.send(json.dumps({"type": "message", "client_id": "c-1", "body": "one"}))
            await frames_until(ws, lambda f: f["type"] == "ack", after)
            await ws.send(json.dumps({"type": "message", "client_id": "c-2", "body": "two"}))
            await frames_until(ws, lambda f: f["type"] == "ack" and f["client_id"] == "c-2", after)
            if not any(f["type"] == "entry" and f["seq"] == 2 for f in after):
                await frames_until(ws, lambda f: f["type"] == "entry" and f["seq"] == 2, after)

    try:
        token = run(first_half())
        chat_id = next(f["chat"]["id"] for f in before if f["type"] == "chat")
        _base, process = start_kefu(**options)
        run(second_half(token, chat_id))
    finally:
        stop_kefu(process)
    # then
    assert closed["code"] == 1012
    acks = [(f["client_id"], f["seq"]) for f in before + after if f["type"] == "ack"]
    assert acks == [("c-1", 1), ("c-1", 1), ("c-2", 2)]
    shown = [(f["seq"], f["body"]) for f in before + after if f["type"] == "entry"]
    assert shown == [(1, "one"), (2, "two")]
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ChatEntry)) == 2
        assert session.scalar(select(func.count()).select_from(Message)) == 2
