"""Agents' chat pages: the /chats queue, accept / transfer / end, typing, chat limits.

Each action redirects to the chat's ticket (where the conversation is answered with the
ordinary composer) or back to `next`; a refusal (taken, over the limit, ended) comes back as
a flash message, never a 500."""

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.channels.chat import agent_context
from kefu.channels.chat import service as chats
from kefu.errors import InvalidInput, KefuError
from kefu.kit.actor import Actor
from kefu.kit.broadcast import LiveUnavailable
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.web import forms
from kefu.web.deps import CsrfProtected, DbSession, PageActor
from kefu.web.flash import redirect
from kefu.web.pages import safe_next
from kefu.web.templating import render

log = logging.getLogger(__name__)
router = APIRouter()

ANSWER = "tickets.reply"


def _ticket_url(ticket_id: int | None) -> str:
    return f"/tickets/{ticket_id}" if ticket_id else "/chats"


@router.get("/chats", response_class=HTMLResponse)
def queue_page(
    request: Request, session: DbSession, actor: PageActor, all: bool = False
) -> Response:
    """Waiting chats (for the agent's teams, or `?all=1` every team) and the agent's own."""
    require(actor, ANSWER)
    context = agent_context.queue_context(session, actor, mine_only=not all)
    return render(request, "chat/agent_queue.html", context)


@router.get("/chats/queue", response_class=HTMLResponse)
def queue_fragment(
    request: Request, session: DbSession, actor: PageActor, all: bool = False
) -> Response:
    """The queue's lists alone, for the live reload (kefu-chat.js)."""
    require(actor, ANSWER)
    context = agent_context.queue_context(session, actor, mine_only=not all)
    return render(request, "chat/_agent_queue.html", context)


@router.get("/chats/badge", response_class=HTMLResponse)
def chats_link(request: Request, session: DbSession, actor: PageActor) -> Response:
    """The top bar's Chats link with the number of waiting chats."""
    require(actor, ANSWER)
    count = chats.count_waiting(session)
    return render(request, "chat/_agent_chats_count.html", {"waiting_count": count})


@router.get("/chats/{chat_id}/panel", response_class=HTMLResponse)
def chat_panel(request: Request, session: DbSession, actor: PageActor, chat_id: int) -> Response:
    """The ticket page's chat panel, reloaded when the chat changes hands or ends."""
    require(actor, "tickets.read")
    chat = chats.get_chat(session, chat_id)
    context = {"p": agent_context.chat_panel(session, actor, chat)}
    return render(request, "chat/_agent_panel.html", context)


@router.post("/chats/{chat_id}/accept", dependencies=[CsrfProtected])
def accept(session: DbSession, actor: PageActor, chat_id: int, form: forms.Form) -> Response:
    back = safe_next(forms.text(form, "next") or "/chats")
    try:
        with session.begin_nested():
            chat = chats.accept(session, actor=actor, chat_id=chat_id)
    except KefuError as exc:
        return redirect(back, exc.message, "error")
    return redirect(_ticket_url(chat.ticket_id), _("The chat is yours."))


def _target(raw: str) -> tuple[int | None, int | None]:
    """ "agent:5" or "team:3" from the transfer form's one select."""
    kind, _sep, number = raw.partition(":")
    if kind in ("agent", "team") and number.isdigit():
        return (int(number), None) if kind == "agent" else (None, int(number))
    raise InvalidInput(_("Choose an agent or a team to transfer the chat to."))


@router.post("/chats/{chat_id}/transfer", dependencies=[CsrfProtected])
def transfer(session: DbSession, actor: PageActor, chat_id: int, form: forms.Form) -> Response:
    back = safe_next(forms.text(form, "next") or "/chats")
    try:
        agent_id, team_id = _target(forms.text(form, "to"))
        with session.begin_nested():
            chat = chats.transfer(
                session, actor=actor, chat_id=chat_id, agent_id=agent_id, team_id=team_id
            )
    except KefuError as exc:
        return redirect(back, exc.message, "error")
    if chat.agent_name:
        text = _("Chat transferred to %(name)s.", name=chat.agent_name)
    else:
        text = _("Chat sent back to the queue of the chosen team.")
    return redirect(_ticket_url(chat.ticket_id), text)


@router.post("/chats/{chat_id}/end", dependencies=[CsrfProtected])
def end(session: DbSession, actor: PageActor, chat_id: int, form: forms.Form) -> Response:
    back = safe_next(forms.text(form, "next") or "/chats")
    try:
        with session.begin_nested():
            chat = chats.end(session, actor=actor, chat_id=chat_id)
    except KefuError as exc:
        return redirect(back, exc.message, "error")
    return redirect(_ticket_url(chat.ticket_id), _("Chat ended."))


@router.post("/chats/{chat_id}/typing", status_code=204, dependencies=[CsrfProtected])
def typing(
    request: Request,
    session: DbSession,
    actor: PageActor,
    chat_id: int,
    on: Annotated[bool, Form()],
) -> Response:
    """The agent writes (or stopped writing) a reply: the shopper's widget shows it."""
    require(actor, ANSWER)
    chat = chats.get_chat(session, chat_id)
    if chat.status == "ended":
        raise InvalidInput(_("This chat has ended."))
    try:
        chats.publish_typing(
            request.app.state.runtime.broadcast, chat_id, author="agent", name=actor.name, on=on
        )
    except LiveUnavailable:
        log.warning("typing on chat %s not sent: live updates unavailable", chat_id)
    return Response(status_code=204)


@router.get("/chats/limits", response_class=HTMLResponse)
def limits_page(request: Request, session: DbSession, actor: PageActor) -> Response:
    """Managers set how many chats each agent takes at once."""
    require(actor, "teams.manage")
    return render(request, "chat/agent_limits.html", _limits_context(session, actor))


def _limits_context(session: Session, actor: Actor) -> dict[str, Any]:
    agents = [
        a
        for a in accounts.list_agents(session, actor=actor, include_inactive=False)
        if a.role != "light_agent"
    ]
    return {"agents": agents, "limits": chats.limits_of(session, [a.id for a in agents])}


@router.post("/chats/limits", dependencies=[CsrfProtected])
def save_limits(
    request: Request, session: DbSession, actor: PageActor, form: forms.Form
) -> Response:
    require(actor, "teams.manage")
    context = _limits_context(session, actor)
    current: dict[int, int] = context["limits"]
    try:
        with session.begin_nested():
            for agent_id, before in current.items():
                raw = forms.text(form, f"limit.{agent_id}")
                if raw == "" or raw == str(before):
                    continue
                if not raw.isdigit():
                    raise InvalidInput(_("A chat limit is a whole number, 0 or more."))
                chats.set_limit(session, actor=actor, agent_id=agent_id, max_chats=int(raw))
    except KefuError as exc:
        return render(
            request, "chat/agent_limits.html", {**context, "error": exc.message}, status=422
        )
    return redirect("/chats/limits", _("Chat limits saved."))
