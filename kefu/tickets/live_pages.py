"""Live pages: the event stream for signed-in agents, presence reports, notifications.

`GET /stream?ticket=12` is a server-sent event stream (`text/event-stream`) of
  event: badge     data: {"unread": 3, "html": "<a … notification badge …>"}
  event: presence  data: {"ticket_id": 12, "html": "<div … Ada is typing…>"}
with `: ping` comments every 15 s (FastAPI's keep-alive). It sends the current badge and
presence on connect and ends after STREAM_MAX_SECONDS (the browser reconnects and signs in
again) or when the server shuts down. /static/kefu-live.js is the client.

Domains built on tickets add their own events with `register_stream_part` from their hooks
(live chat: the waiting-chats badge, a chat's entries and typing), on the same connection.
"""

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent

from kefu.db import Database
from kefu.errors import InvalidInput
from kefu.kit import i18n
from kefu.kit.actor import Actor
from kefu.kit.broadcast import LiveUnavailable, Message
from kefu.tickets import notifications, presence
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.pages import safe_next
from kefu.web.templating import language_for, render

log = logging.getLogger(__name__)
router = APIRouter()

MAX_STREAM_TICKETS = 20
STREAM_MAX_SECONDS = 15 * 60
RECONNECT_MS = 3000
UNAVAILABLE_RETRY_MS = 15000


@dataclass(frozen=True)
class StreamPart:
    """Events another domain adds to every agent's stream (registered from its hooks).

    `channels` names the broadcast channels to follow for this request (it may read the
    query string: `?chat=7`); `opening` gives the current state once subscribed; `event_for`
    turns a message of one of those channels into an event, or None. Both coroutines may
    use the database through asyncio.to_thread."""

    key: str
    channels: Callable[[Request, Actor], list[str]]
    opening: Callable[[Request, Actor], Awaitable[list[ServerSentEvent]]]
    event_for: Callable[[Request, Actor, str, Message], Awaitable[ServerSentEvent | None]]


_PARTS: dict[str, StreamPart] = {}


def register_stream_part(part: StreamPart) -> None:
    _PARTS[part.key] = part


def presence_context(request: Request, ticket_id: int) -> dict[str, Any]:
    """What `tickets/_presence.html` needs, for a page that shows the ticket (see
    kefu.tickets.presence). A broadcast outage shows nobody rather than failing the page."""
    runtime = request.app.state.runtime
    actor: Actor = request.state.actor
    try:
        present = presence.who_is_here(
            runtime.broadcast,
            ticket_id=ticket_id,
            exclude_agent_id=actor.agent_id,
            now=runtime.clock(),
        )
    except LiveUnavailable:
        log.warning("presence unavailable for ticket %s", ticket_id, exc_info=True)
        present = []
    return {"ticket_id": ticket_id, "present": present}


def _unread(database: Database, agent_id: int) -> int:
    with database.sessions() as session:
        return notifications.count_unread(session, agent_id)


class _Renderer:
    """Turns broadcast messages into the events one agent's stream sends."""

    def __init__(self, request: Request, agent_id: int, tickets: list[int]) -> None:
        self.env = request.app.state.templates.env
        self.agent_id = agent_id
        self.tickets = set(tickets)

    def badge(self, unread: int) -> ServerSentEvent:
        html = self.env.get_template("tickets/_notification_badge.html").render(unread_count=unread)
        return ServerSentEvent(event="badge", data={"unread": unread, "html": html})

    def presence(self, ticket_id: int, present: list[presence.Presence]) -> ServerSentEvent:
        others = [p for p in present if p.agent_id != self.agent_id]
        html = self.env.get_template("tickets/_presence.html").render(
            ticket_id=ticket_id, present=others
        )
        return ServerSentEvent(event="presence", data={"ticket_id": ticket_id, "html": html})

    def event_for(self, message: Message) -> ServerSentEvent | None:
        kind = message.get("type")
        if kind == "badge":
            return self.badge(int(message.get("unread", 0)))
        if kind == "presence" and message.get("ticket_id") in self.tickets:
            present = [
                presence.Presence(int(p["agent_id"]), str(p["name"]), p["state"])
                for p in message.get("present", [])
            ]
            return self.presence(int(message["ticket_id"]), present)
        return None


@router.get("/stream", response_class=EventSourceResponse)
async def stream(
    request: Request,
    actor: PageActor,
    ticket: Annotated[list[int] | None, Query(max_length=MAX_STREAM_TICKETS)] = None,
) -> AsyncIterator[ServerSentEvent]:
    runtime = request.app.state.runtime
    assert actor.agent_id is not None
    agent_id = actor.agent_id
    tickets = list(dict.fromkeys(ticket or []))
    renderer = _Renderer(request, agent_id, tickets)
    i18n.current_language.set(language_for(request))
    channels = [notifications.agent_channel(agent_id)]
    channels += [presence.ticket_channel(t) for t in tickets]
    parts = {part: part.channels(request, actor) for part in _PARTS.values()}
    channels += [c for wanted in parts.values() for c in wanted if c not in channels]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + STREAM_MAX_SECONDS
    try:
        async with runtime.broadcast.subscribe(*channels) as subscription:
            # Subscribed first, then the current state: nothing published between is lost.
            yield ServerSentEvent(comment="connected", retry=RECONNECT_MS)
            unread = await asyncio.to_thread(_unread, runtime.database, agent_id)
            yield renderer.badge(unread)
            for ticket_id in tickets:
                here = await asyncio.to_thread(
                    presence.present_on,
                    runtime.broadcast,
                    ticket_id=ticket_id,
                    now=runtime.clock(),
                )
                yield renderer.presence(ticket_id, here)
            for part in parts:
                for opening in await part.opening(request, actor):
                    yield opening
            while (left := deadline - loop.time()) > 0:
                received = await subscription.receive(timeout=left)
                if received is None:
                    break
                channel, message = received
                event = renderer.event_for(message)
                if event is not None:
                    yield event
                for part, wanted in parts.items():
                    if channel in wanted and (
                        extra := await part.event_for(request, actor, channel, message)
                    ):
                        yield extra
    except LiveUnavailable:
        log.warning("event stream for agent %s: live updates unavailable", agent_id)
        yield ServerSentEvent(comment="live updates unavailable", retry=UNAVAILABLE_RETRY_MS)


@router.post(
    "/tickets/{ticket_id}/presence", response_class=HTMLResponse, dependencies=[CsrfProtected]
)
def report_presence(
    request: Request,
    session: DbSession,
    actor: PageActor,
    ticket_id: int,
    state: Annotated[str, Form(max_length=20)],
) -> Response:
    """A ticket page says the agent is viewing, typing or has left; answers with the
    presence partial of the others."""
    runtime = request.app.state.runtime
    others = presence.report_presence(
        session,
        runtime.broadcast,
        actor=actor,
        ticket_id=ticket_id,
        state=state,
        now=runtime.clock(),
    )
    return render(request, "tickets/_presence.html", {"ticket_id": ticket_id, "present": others})


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(
    request: Request,
    session: DbSession,
    actor: PageActor,
    before_id: int | None = None,
    unread: bool = False,
) -> Response:
    page = notifications.list_notifications(
        session, actor=actor, cursor=before_id, limit=50, unread_only=unread
    )
    return render(
        request,
        "tickets/notifications.html",
        {
            "page": page,
            "unread_only": unread,
            "unread_count": notifications.unread_count(session, actor=actor),
            "kinds": notifications.KINDS,
            "kind_links": notifications.KIND_LINKS,
        },
    )


@router.get("/notifications/badge", response_class=HTMLResponse)
def notification_badge(request: Request, session: DbSession, actor: PageActor) -> Response:
    unread = notifications.unread_count(session, actor=actor)
    return render(request, "tickets/_notification_badge.html", {"unread_count": unread})


@router.post("/notifications/read", dependencies=[CsrfProtected])
def mark_notifications_read(
    session: DbSession,
    actor: PageActor,
    ids: Annotated[list[int] | None, Form()] = None,
    all: Annotated[bool, Form()] = False,
    next: Annotated[str | None, Form()] = None,
) -> Response:
    if not ids and not all:
        raise InvalidInput("Choose the notifications to mark as read.")
    notifications.mark_read(session, actor=actor, ids=ids, all=all)
    return RedirectResponse(safe_next(next or "/notifications"), status_code=303)
