"""Chats JSON API under /api/v1: the queue, accept / transfer / end, entries, typing, agents'
chat limits, and a server-sent event stream of one chat (for integrations and bots)."""

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Query, Request
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel, Field

from kefu.api.routing import NOT_FOUND, api_router
from kefu.channels.chat import service
from kefu.channels.chat.schemas import ChatView
from kefu.kit.bounds import INT4_MAX, INT8_MAX
from kefu.kit.broadcast import LiveUnavailable
from kefu.permissions import require
from kefu.web.deps import ApiActor, DbSession

router = api_router("chats")
ChatId = Annotated[int, Path(ge=1, le=INT8_MAX, description="the chat's id", examples=[1])]
AgentId = Annotated[int, Path(ge=1, le=INT4_MAX, description="the agent's id", examples=[1])]
STREAM_MAX_SECONDS = 15 * 60


class ChatRead(BaseModel):
    id: int
    ticket_id: int | None
    widget_id: int
    status: Literal["assistant", "waiting", "active", "ended"]
    visitor_name: str
    visitor_email: str | None
    customer_id: int | None
    agent_id: int | None
    agent_name: str | None
    team_id: int | None
    started_at: datetime
    accepted_at: datetime | None
    ended_at: datetime | None
    last_seq: int
    page_url: str | None
    page_title: str | None
    cart: dict[str, Any] | None
    prechat: dict[str, str]
    rating: int | None
    rating_comment: str | None

    @classmethod
    def of(cls, view: ChatView) -> "ChatRead":
        fields = {name: getattr(view, name) for name in cls.model_fields}
        return cls(**fields)


class EntryRead(BaseModel):
    seq: int
    author: Literal["visitor", "agent", "system", "assistant"]
    name: str
    body: str
    client_id: str | None
    agent_id: int | None
    message_id: int | None
    attachments: list[dict[str, Any]]
    created_at: datetime


class TransferIn(BaseModel):
    """Exactly one of them: an agent (the chat stays active) or a team (back in the queue)."""

    agent_id: int | None = Field(default=None, ge=1, le=INT4_MAX)
    team_id: int | None = Field(default=None, ge=1, le=INT4_MAX)


class TypingIn(BaseModel):
    on: bool


class LimitIn(BaseModel):
    max_chats: int = Field(ge=0, le=service.MAX_LIMIT)


class LimitRead(BaseModel):
    agent_id: int
    max_chats: int


@router.get("/chats", response_model=list[ChatRead])
def list_chats(
    session: DbSession, actor: ApiActor, status: Literal["waiting", "active"] = "waiting"
) -> list[ChatRead]:
    """The queue (`waiting`, longest waiting first) or your own active chats (`active`)."""
    require(actor, "tickets.read")
    if status == "waiting":
        views = service.waiting_chats(session)
    else:
        views = service.agent_chats(session, actor.agent_id) if actor.agent_id else []
    return [ChatRead.of(v) for v in views]


@router.get("/chats/limits", response_model=list[LimitRead])
def list_limits(session: DbSession, actor: ApiActor) -> list[LimitRead]:
    """Agents with a chat limit of their own (the others take 3 at once)."""
    require(actor, "tickets.read")
    return [LimitRead(agent_id=a, max_chats=n) for a, n in service.list_limits(session).items()]


@router.put("/chats/limits/{agent_id}", response_model=LimitRead, responses=NOT_FOUND)
def set_limit(agent_id: AgentId, data: LimitIn, session: DbSession, actor: ApiActor) -> LimitRead:
    limit = service.set_limit(session, actor=actor, agent_id=agent_id, max_chats=data.max_chats)
    return LimitRead(agent_id=agent_id, max_chats=limit)


@router.get("/chats/{chat_id}", response_model=ChatRead, responses=NOT_FOUND)
def get_chat(chat_id: ChatId, session: DbSession, actor: ApiActor) -> ChatRead:
    require(actor, "tickets.read")
    return ChatRead.of(service.get_chat(session, chat_id))


@router.get("/chats/{chat_id}/entries", response_model=list[EntryRead], responses=NOT_FOUND)
def list_entries(
    chat_id: ChatId,
    session: DbSession,
    actor: ApiActor,
    after_seq: Annotated[int, Query(ge=0, le=INT4_MAX)] = 0,
) -> list[EntryRead]:
    """The chat's entries after `after_seq` (at most 500), in order."""
    require(actor, "tickets.read")
    service.get_chat(session, chat_id)
    return [
        EntryRead.model_validate(e, from_attributes=True)
        for e in service.entries(session, chat_id, after_seq)
    ]


@router.post("/chats/{chat_id}/accept", response_model=ChatRead, responses=NOT_FOUND)
def accept_chat(chat_id: ChatId, session: DbSession, actor: ApiActor) -> ChatRead:
    """Take a waiting chat (and its ticket); 422 when taken already or at your chat limit."""
    return ChatRead.of(service.accept(session, actor=actor, chat_id=chat_id))


@router.post("/chats/{chat_id}/transfer", response_model=ChatRead, responses=NOT_FOUND)
def transfer_chat(
    chat_id: ChatId, data: TransferIn, session: DbSession, actor: ApiActor
) -> ChatRead:
    view = service.transfer(
        session, actor=actor, chat_id=chat_id, agent_id=data.agent_id, team_id=data.team_id
    )
    return ChatRead.of(view)


@router.post("/chats/{chat_id}/end", response_model=ChatRead, responses=NOT_FOUND)
def end_chat(chat_id: ChatId, session: DbSession, actor: ApiActor) -> ChatRead:
    return ChatRead.of(service.end(session, actor=actor, chat_id=chat_id))


@router.post("/chats/{chat_id}/typing", status_code=204, responses=NOT_FOUND)
def agent_typing(
    chat_id: ChatId, data: TypingIn, request: Request, session: DbSession, actor: ApiActor
) -> None:
    """Show (or stop showing) "<your name> is typing" in the shopper's widget."""
    require(actor, "tickets.reply")
    service.get_chat(session, chat_id)
    broadcast = request.app.state.runtime.broadcast
    service.publish_typing(
        broadcast, chat_id, author="agent", name=service.agent_name(session, actor), on=data.on
    )


def _readable_chat(chat_id: ChatId, session: DbSession, actor: ApiActor) -> None:
    """Checked before the stream starts, so a refusal is a proper 403/404."""
    require(actor, "tickets.read")
    service.get_chat(session, chat_id)


@router.get("/chats/{chat_id}/stream", response_class=EventSourceResponse, responses=NOT_FOUND)
async def stream_chat(
    chat_id: ChatId, request: Request, _found: Annotated[None, Depends(_readable_chat)]
) -> AsyncIterator[ServerSentEvent]:
    """Server-sent events of one chat: `entry`, `typing` and `status`, as the widget gets
    them (docs/chat.md); ends after 15 minutes (reconnect and read the entries you missed
    with /entries?after_seq=)."""
    runtime = request.app.state.runtime
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STREAM_MAX_SECONDS
    try:
        async with runtime.broadcast.subscribe(service.chat_channel(chat_id)) as subscription:
            yield ServerSentEvent(comment="connected")
            while (left := deadline - loop.time()) > 0:
                received = await subscription.receive(timeout=left)
                if received is None:
                    break
                message = received[1]
                if message.get("type") in ("entry", "typing", "status"):
                    yield ServerSentEvent(event=str(message["type"]), data=message)
    except LiveUnavailable:
        yield ServerSentEvent(comment="live updates unavailable", retry=15000)
