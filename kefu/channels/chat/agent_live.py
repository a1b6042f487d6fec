"""Live chat on agents' pages, through the agent event stream (kefu.tickets.live_pages).

Every signed-in agent who may answer chats follows `chats:queue`: the stream sends
  event: chats  data: {"waiting": 2, "html": "<a … Chats 2 …>"}
on connect and after each change, for the top bar's link and the /chats queue. A page that
shows a chat (its ticket) adds `?chat=<id>&chat_seq=<id>:<last seq shown>` to the stream
(data-live-stream), and gets for that chat, first the entries after that seq, then
  event: chat   data: {"chat_id", "kind": "entry", "seq", "message_id", "html"}
                data: {"chat_id", "kind": "typing", "on", "text"}      (the shopper typing)
                data: {"chat_id", "kind": "status", "status"}          (accepted, moved, ended)
/static/kefu-chat.js is the client.
"""

import asyncio
from typing import Any

from fastapi import Request
from fastapi.sse import ServerSentEvent

from kefu.channels.chat import service as chats
from kefu.channels.chat.schemas import EntryView
from kefu.db import Database
from kefu.errors import NotFound
from kefu.kit.actor import Actor
from kefu.kit.broadcast import Message
from kefu.kit.i18n import gettext as _
from kefu.permissions import can
from kefu.tickets.live_pages import StreamPart

MAX_STREAM_CHATS = 20
ANSWER = "tickets.reply"


def waiting_count(database: Database) -> int:
    with database.sessions() as session:
        return chats.count_waiting(session)


def _entry(database: Database, chat_id: int, seq: int) -> EntryView | None:
    with database.sessions() as session:
        found = chats.entries(session, chat_id, after_seq=seq - 1)
    return found[0] if found and found[0].seq == seq else None


def _name_of(database: Database, chat_id: int) -> str:
    with database.sessions() as session:
        chat = chats.get_chat(session, chat_id)
    return chat.visitor_name or chat.visitor_email or ""


async def _visitor_name(request: Request, chat_id: int) -> str:
    """The shopper's name for "… is typing" (the widget's frame has none), read once per
    stream and chat."""
    names: dict[int, str] | None = getattr(request.state, "chat_visitor_names", None)
    if names is None:
        names = request.state.chat_visitor_names = {}
    if chat_id not in names:
        database = request.app.state.runtime.database
        try:
            names[chat_id] = await asyncio.to_thread(_name_of, database, chat_id)
        except NotFound:
            names[chat_id] = ""
    return names[chat_id] or _("The shopper")


def _chat_ids(request: Request) -> list[int]:
    ids: list[int] = []
    for raw in request.query_params.getlist("chat"):
        if raw.isdigit() and int(raw) not in ids:
            ids.append(int(raw))
    return ids[:MAX_STREAM_CHATS]


def channels(request: Request, actor: Actor) -> list[str]:
    if not can(actor, "tickets.read"):
        return []
    wanted = [chats.chat_channel(chat_id) for chat_id in _chat_ids(request)]
    if can(actor, ANSWER):
        wanted.append(chats.QUEUE_CHANNEL)
    return wanted


def _env(request: Request) -> Any:
    return request.app.state.templates.env


def chats_event(request: Request, waiting: int) -> ServerSentEvent:
    html = (
        _env(request)
        .get_template("chat/_agent_chats_count.html")
        .render(waiting_count=waiting, request=request)
    )
    return ServerSentEvent(event="chats", data={"waiting": waiting, "html": html})


def _seen(request: Request) -> dict[int, int]:
    """`?chat_seq=7:12`: the page showed chat 7 up to entry 12 when it was drawn."""
    seen: dict[int, int] = {}
    wanted = set(_chat_ids(request))
    for raw in request.query_params.getlist("chat_seq"):
        chat, _sep, seq = raw.partition(":")
        if chat.isdigit() and seq.isdigit() and int(chat) in wanted:
            seen[int(chat)] = int(seq)
    return seen


def _entries_after(database: Database, seen: dict[int, int]) -> list[tuple[int, EntryView]]:
    with database.sessions() as session:
        return [
            (chat_id, entry)
            for chat_id, seq in sorted(seen.items())
            for entry in chats.entries(session, chat_id, after_seq=seq)
        ]


async def opening(request: Request, actor: Actor) -> list[ServerSentEvent]:
    """The waiting count, and the entries the page has not shown: everything after the seq
    it was drawn with (a reconnect after a restart catches up on what was said meanwhile;
    the page skips the entries it already has)."""
    events = []
    database = request.app.state.runtime.database
    if can(actor, ANSWER):
        events.append(chats_event(request, await asyncio.to_thread(waiting_count, database)))
    seen = _seen(request) if can(actor, "tickets.read") else {}
    if seen:
        for chat_id, entry in await asyncio.to_thread(_entries_after, database, seen):
            events.append(_entry_sse(request, chat_id, entry))
    return events


async def event_for(
    request: Request, actor: Actor, channel: str, message: Message
) -> ServerSentEvent | None:
    if channel == chats.QUEUE_CHANNEL:
        waiting = await asyncio.to_thread(waiting_count, request.app.state.runtime.database)
        return chats_event(request, waiting)
    chat_id = message.get("chat_id")
    if not isinstance(chat_id, int) or channel != chats.chat_channel(chat_id):
        return None
    kind = message.get("type")
    if kind == "entry" and isinstance(message.get("seq"), int):
        return await _entry_event(request, chat_id, int(message["seq"]))
    if kind == "typing" and message.get("author") == "visitor":
        on = bool(message.get("on"))
        name = str(message.get("name") or "") or await _visitor_name(request, chat_id)
        text = _("%(name)s is typing…", name=name) if on else ""
        data = {"chat_id": chat_id, "kind": "typing", "on": on, "text": text}
        return ServerSentEvent(event="chat", data=data)
    if kind == "status":
        data = {"chat_id": chat_id, "kind": "status", "status": message.get("status")}
        return ServerSentEvent(event="chat", data=data)
    return None


async def _entry_event(request: Request, chat_id: int, seq: int) -> ServerSentEvent | None:
    """The entry as the ticket page shows it, read back from the database: the message id
    lets the page skip an entry it already shows as a message of the ticket."""
    entry = await asyncio.to_thread(_entry, request.app.state.runtime.database, chat_id, seq)
    return None if entry is None else _entry_sse(request, chat_id, entry)


def _entry_sse(request: Request, chat_id: int, entry: EntryView) -> ServerSentEvent:
    html = _env(request).get_template("chat/_agent_entry.html").render(entry=entry)
    data = {
        "chat_id": chat_id,
        "kind": "entry",
        "seq": entry.seq,
        "message_id": entry.message_id,
        "html": html,
    }
    return ServerSentEvent(event="chat", data=data)


STREAM_PART = StreamPart(key="chat", channels=channels, opening=opening, event_for=event_for)
