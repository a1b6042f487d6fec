"""The widget's websocket, `GET /chat/ws?widget=KEY` (protocol: docs/chat.md).

Per connection: a reader (frames from the browser, each handled in a worker thread with its
own unit of work, acked after commit) and a follower of the chat's broadcast channel that
sends entries strictly in seq order: an entry that skips ahead (published by another process
first, or dropped by a full queue) makes it read the missing ones from the database. So the
browser gets every entry exactly once per connection, in order, and after a reconnect asks
for what it has not seen (`last_seq`)."""

import asyncio
import contextlib
import json
import logging
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from starlette.websockets import WebSocketState

from kefu.channels.chat import socket_ops as ops
from kefu.channels.chat.entries import chat_channel
from kefu.channels.chat.limits import MAX_FRAME_BYTES, RateLimiter
from kefu.channels.chat.widgets import origin_allowed_list
from kefu.errors import KefuError
from kefu.kit import i18n
from kefu.kit.bounds import INT4_MAX
from kefu.kit.broadcast import LiveUnavailable
from kefu.kit.i18n import N_
from kefu.kit.i18n import gettext as _

log = logging.getLogger(__name__)
router = APIRouter()

HELLO_SECONDS = 10
CLOSE_BAD_HELLO = 4400
CLOSE_ORIGIN = 4403
CLOSE_UNKNOWN_WIDGET = 4404
CLOSE_NO_HELLO = 4408
CLOSE_RESTART = 1012
CLOSE_UNAVAILABLE = 1011
CODE_MESSAGES = {
    "bad_frame": N_("The chat did not understand that message."),
    "no_chat": N_("There is no chat yet."),
    "too_large": N_("That message is too large."),
}


def limiter_of(websocket: WebSocket) -> RateLimiter:
    state = websocket.app.state
    limiter = getattr(state, "chat_limiter", None)
    if limiter is None:
        limiter = state.chat_limiter = RateLimiter()
    return limiter


class Connection:
    def __init__(self, websocket: WebSocket, widget_id: int) -> None:
        self.ws = websocket
        self.runtime = websocket.app.state.runtime
        self.database = self.runtime.database
        self.widget_id = widget_id
        self.visitor_id = 0
        self.locale = "en"
        self.name = ""  # the visitor's, shown with their typing
        self.chat_id: int | None = None
        self.sent_seq = 0
        self.follower: asyncio.Task[None] | None = None
        self._send_lock = asyncio.Lock()

    # -- sending ---------------------------------------------------------------------------

    async def send(self, frame: dict[str, Any]) -> None:
        async with self._send_lock:
            if self.ws.application_state == WebSocketState.CONNECTED:
                await self.ws.send_text(json.dumps(frame, ensure_ascii=False))

    async def error(self, exc: KefuError | None, *, code: str = "", **extra: Any) -> None:
        frame = {
            "type": "error",
            "code": exc.code if exc is not None else code,
            "message": exc.message if exc is not None else _(CODE_MESSAGES.get(code, code)),
        }
        await self.send({**frame, **extra})

    async def close(self, code: int) -> None:
        with contextlib.suppress(Exception):
            if self.ws.application_state == WebSocketState.CONNECTED:
                await self.ws.close(code)

    # -- following the chat ----------------------------------------------------------------

    def follow(self, chat_id: int, after_seq: int) -> None:
        """Send the chat's entries after `after_seq` and everything published on it from now
        on; a previous chat's follower stops."""
        if self.follower is not None:
            self.follower.cancel()
        self.chat_id, self.sent_seq = chat_id, after_seq
        self.follower = asyncio.create_task(self._follow(chat_id), name=f"chat-follow-{chat_id}")

    async def _catch_up(self, chat_id: int) -> None:
        missed = await asyncio.to_thread(ops.catch_up, self.database, chat_id, self.sent_seq)
        for entry in missed:
            if entry.seq > self.sent_seq:
                await self.send(entry.wire())
                self.sent_seq = entry.seq

    async def _follow(self, chat_id: int) -> None:
        try:
            async with self.runtime.broadcast.subscribe(chat_channel(chat_id)) as subscription:
                await self._catch_up(chat_id)  # subscribed first: nothing falls in between
                async for _channel, message in subscription:
                    await self._relay(chat_id, message)
            await self.close(CLOSE_RESTART)  # the server is shutting down
        except LiveUnavailable:
            log.warning("chat %s: live updates unavailable", chat_id)
            await self.close(CLOSE_UNAVAILABLE)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("chat %s: following the chat failed", chat_id)
            await self.close(CLOSE_UNAVAILABLE)

    async def _relay(self, chat_id: int, message: dict[str, Any]) -> None:
        kind = message.get("type")
        if kind == "entry":
            seq = int(message.get("seq", 0))
            if seq == self.sent_seq + 1:
                frame = {k: v for k, v in message.items() if k != "chat_id"}
                await self.send(frame)
                self.sent_seq = seq
            elif seq > self.sent_seq:
                await self._catch_up(chat_id)
        elif kind == "typing" and message.get("author") != "visitor":
            await self.send(
                {
                    "type": "typing",
                    "author": message.get("author"),
                    "name": message.get("name", ""),
                    "on": bool(message.get("on")),
                }
            )
        elif kind == "status":
            await self.send(
                {"type": "status", "status": message.get("status"), "agent": message.get("agent")}
            )

    # -- frames from the browser -----------------------------------------------------------

    async def greet(self, frame: dict[str, Any]) -> None:
        locale = str(frame.get("locale") or "en")
        self.locale = "zh" if locale.startswith("zh") else "en"
        welcome = await asyncio.to_thread(
            ops.hello, self.database, self.widget_id, frame, self.runtime.clock()
        )
        self.visitor_id, self.name = welcome.visitor_id, welcome.name
        if welcome.identity_error is not None:
            await self.error(welcome.identity_error)
        await self.send(
            {
                "type": "welcome",
                "visitor": welcome.token,
                "chat": welcome.chat,
                "online": welcome.online,
                "name": welcome.name,
            }
        )
        if welcome.chat is not None:
            last_seq = frame.get("last_seq")
            known = frame.get("chat") == welcome.chat["id"]
            valid = isinstance(last_seq, int) and 0 <= last_seq <= INT4_MAX
            after = last_seq if known and valid else 0
            self.follow(welcome.chat["id"], after)

    async def handle(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        now = self.runtime.clock()
        db = self.database
        if kind == "message":
            await self._message(frame)
        elif kind == "typing":
            if self.chat_id is not None:
                await self.runtime.broadcast.publish(
                    chat_channel(self.chat_id),
                    {
                        "type": "typing",
                        "chat_id": self.chat_id,
                        "author": "visitor",
                        "name": self.name,
                        "on": bool(frame.get("on")),
                    },
                )
        elif kind == "start":
            chat, self.name = await asyncio.to_thread(
                ops.start,
                db,
                self.widget_id,
                self.visitor_id,
                {**frame, "locale": self.locale},
                now,
            )
            if chat["id"] != self.chat_id:
                self.follow(chat["id"], 0)
            await self.send({"type": "chat", "chat": chat})
        elif kind == "page":
            if self.chat_id is not None:
                await asyncio.to_thread(ops.page, db, self.visitor_id, self.chat_id, frame)
        elif kind in ("rate", "transcript", "end"):
            if self.chat_id is None:
                await self.error(None, code="no_chat")
                return
            if kind == "end":
                await asyncio.to_thread(ops.end, db, self.visitor_id, self.chat_id)
                return
            action = ops.rate if kind == "rate" else ops.transcript
            await asyncio.to_thread(action, db, self.visitor_id, self.chat_id, frame)
            await self.send({"type": "ok", "for": kind})
        elif kind == "offline_message":
            await asyncio.to_thread(
                ops.offline_message, db, self.widget_id, self.visitor_id, frame, now
            )
            await self.send(
                {"type": "ok", "for": "offline_message", "client_id": frame.get("client_id")}
            )
        elif kind == "ping":
            await self.send({"type": "pong"})
        else:
            await self.error(None, code="bad_frame")

    async def _message(self, frame: dict[str, Any]) -> None:
        client_id = frame.get("client_id")
        wait = limiter_of(self.ws).take(self.visitor_id)
        if wait > 0:
            await self.send(
                {
                    "type": "error",
                    "code": "rate_limited",
                    "message": _("You are sending messages too fast; wait a moment."),
                    "client_id": client_id,
                    "retry_after": round(wait, 1),
                }
            )
            return
        try:
            sent = await asyncio.to_thread(
                ops.send,
                self.database,
                self.widget_id,
                self.visitor_id,
                frame,
                locale=self.locale,
                now=self.runtime.clock(),
            )
        except KefuError as exc:
            await self.error(exc, client_id=client_id)
            return
        if sent.chat["id"] != self.chat_id:
            await self.send({"type": "chat", "chat": sent.chat})
            self.follow(sent.chat["id"], 0)
        await self.send({"type": "ack", "client_id": sent.entry.client_id, "seq": sent.entry.seq})

    async def stop(self) -> None:
        if self.follower is not None:
            self.follower.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self.follower


def parse_frame(raw: str) -> dict[str, Any] | None:
    try:
        frame = json.loads(raw)
    except ValueError:
        return None
    return frame if isinstance(frame, dict) and isinstance(frame.get("type"), str) else None


@router.websocket("/chat/ws")
async def chat_socket(websocket: WebSocket, widget: str = "") -> None:
    runtime = websocket.app.state.runtime
    state = await asyncio.to_thread(ops.widget_state, runtime.database, widget[:64])
    if state is None:
        await websocket.close(CLOSE_UNKNOWN_WIDGET)
        return
    widget_id, allowed = state
    if not origin_allowed_list(allowed, websocket.headers.get("origin")):
        await websocket.close(CLOSE_ORIGIN)
        return
    await websocket.accept()
    connection = Connection(websocket, widget_id)
    try:
        try:
            raw = await asyncio.wait_for(websocket.receive_text(), HELLO_SECONDS)
        except TimeoutError:
            await connection.close(CLOSE_NO_HELLO)
            return
        frame = parse_frame(raw) if len(raw) <= MAX_FRAME_BYTES else None
        if frame is None or frame["type"] != "hello":
            await connection.close(CLOSE_BAD_HELLO)
            return
        i18n.current_language.set(
            "zh_Hans" if str(frame.get("locale", "")).startswith("zh") else "en"
        )
        await connection.greet(frame)
        while True:
            raw = await websocket.receive_text()
            if len(raw) > MAX_FRAME_BYTES:
                await connection.error(None, code="too_large")
                continue
            frame = parse_frame(raw)
            if frame is None:
                await connection.error(None, code="bad_frame")
                continue
            try:
                await connection.handle(frame)
            except KefuError as exc:
                await connection.error(exc)
    except WebSocketDisconnect:
        pass
    except KefuError as exc:  # the hello itself was refused
        await connection.error(exc)
        await connection.close(CLOSE_BAD_HELLO)
    finally:
        await connection.stop()
