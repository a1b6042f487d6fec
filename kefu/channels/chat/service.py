"""What agents do with chats: the queue, accept, transfer, end, concurrency limits, typing.

A chat is the live side of a ticket (channel "chat"): the ticket is assigned with it, so the
inbox, SLA and reports see chats like any conversation. Every change publishes after commit on
`chat:<id>` (the shopper's socket, the ticket page) and `chats:queue` (the queue pages)."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.channels.chat.entries import (
    QUEUE_CHANNEL,
    add_system_entry,
    chat_channel,
    chat_language,
    count_waiting,
    locked_chat,
    publish_status,
)
from kefu.channels.chat.entries import entries as chat_entries
from kefu.channels.chat.models import Chat, ChatAgentLimit, ChatVisitor, ChatWidget
from kefu.channels.chat.schemas import DEFAULT_MAX_CHATS, ChatView, EntryView
from kefu.errors import InvalidInput, NotFound
from kefu.events import emit
from kefu.kit.actor import Actor
from kefu.kit.broadcast import Broadcast
from kefu.kit.clock import utcnow
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.tickets import service as tickets
from kefu.tickets.schemas import TicketUpdate

MAX_LIMIT = 50
__all__ = [
    "QUEUE_CHANNEL",
    "accept",
    "agent_chats",
    "agent_name",
    "chat_channel",
    "chat_for_ticket",
    "count_waiting",
    "end",
    "entries",
    "get_chat",
    "limit_of",
    "limits_of",
    "list_limits",
    "publish_typing",
    "set_limit",
    "transfer",
    "waiting_chats",
]


def _views(session: Session, chats: list[Chat]) -> list[ChatView]:
    if not chats:
        return []
    visitors = {
        v.id: v
        for v in session.scalars(
            select(ChatVisitor).where(ChatVisitor.id.in_({c.visitor_id for c in chats}))
        )
    }
    widgets = {
        row.id: row.name
        for row in session.execute(
            select(ChatWidget.id, ChatWidget.name).where(
                ChatWidget.id.in_({c.widget_id for c in chats})
            )
        )
    }
    agents = accounts.agents_by_ids(session, {c.agent_id for c in chats if c.agent_id})
    views = []
    for chat in chats:
        visitor = visitors[chat.visitor_id]
        agent = agents.get(chat.agent_id) if chat.agent_id else None
        views.append(
            ChatView(
                id=chat.id,
                ticket_id=chat.ticket_id,
                widget_id=chat.widget_id,
                widget_name=widgets.get(chat.widget_id, ""),
                status=chat.status,  # type: ignore[arg-type]
                visitor_name=visitor.name or (chat.prechat or {}).get("name", ""),
                visitor_email=visitor.email,
                customer_id=visitor.customer_id,
                agent_id=chat.agent_id,
                agent_name=agent.name if agent is not None else None,
                team_id=chat.team_id,
                started_at=chat.started_at,
                accepted_at=chat.accepted_at,
                ended_at=chat.ended_at,
                last_seq=chat.last_seq,
                page_url=chat.page_url,
                page_title=chat.page_title,
                cart=chat.cart,
                prechat=dict(chat.prechat or {}),
                rating=chat.rating,
                rating_comment=chat.rating_comment,
            )
        )
    return views


def get_chat(session: Session, chat_id: int) -> ChatView:
    chat = session.get(Chat, chat_id)
    if chat is None:
        raise NotFound(_("chat %(id)s not found", id=chat_id))
    return _views(session, [chat])[0]


def waiting_chats(session: Session, *, team_ids: list[int] | None = None) -> list[ChatView]:
    """Chats a shopper has written in and no agent has accepted, longest waiting first.
    `team_ids`: only those routed to these teams or to no team."""
    statement = select(Chat).where(Chat.status == "waiting", Chat.ticket_id.is_not(None))
    if team_ids is not None:
        statement = statement.where(Chat.team_id.in_(team_ids) | Chat.team_id.is_(None))
    return _views(session, list(session.scalars(statement.order_by(Chat.started_at, Chat.id))))


def agent_chats(session: Session, agent_id: int) -> list[ChatView]:
    """The agent's active chats, oldest first."""
    statement = (
        select(Chat)
        .where(Chat.agent_id == agent_id, Chat.status == "active")
        .order_by(Chat.accepted_at, Chat.id)
    )
    return _views(session, list(session.scalars(statement)))


def chat_for_ticket(session: Session, ticket_id: int) -> ChatView | None:
    """The ticket's latest chat (a ticket a shopper came back to may hold several)."""
    chat = session.scalar(
        select(Chat).where(Chat.ticket_id == ticket_id).order_by(Chat.id.desc()).limit(1)
    )
    return None if chat is None else _views(session, [chat])[0]


def entries(session: Session, chat_id: int, after_seq: int = 0) -> list[EntryView]:
    return chat_entries(session, chat_id, after_seq)


def limit_of(session: Session, agent_id: int) -> int:
    row = session.get(ChatAgentLimit, agent_id)
    return DEFAULT_MAX_CHATS if row is None else row.max_chats


def limits_of(session: Session, agent_ids: list[int]) -> dict[int, int]:
    found = dict.fromkeys(agent_ids, DEFAULT_MAX_CHATS)
    if agent_ids:
        rows = session.execute(
            select(ChatAgentLimit.agent_id, ChatAgentLimit.max_chats).where(
                ChatAgentLimit.agent_id.in_(agent_ids)
            )
        )
        found.update({row.agent_id: row.max_chats for row in rows})
    return found


def list_limits(session: Session) -> dict[int, int]:
    """Agents with a limit of their own (the others have DEFAULT_MAX_CHATS)."""
    rows = session.execute(select(ChatAgentLimit.agent_id, ChatAgentLimit.max_chats))
    return {row.agent_id: row.max_chats for row in rows}


def active_count(session: Session, agent_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Chat)
            .where(Chat.agent_id == agent_id, Chat.status == "active")
        )
        or 0
    )


def set_limit(session: Session, *, actor: Actor, agent_id: int, max_chats: int) -> int:
    """A manager sets how many chats an agent takes at once (0 = none)."""
    require(actor, "teams.manage")
    if not 0 <= max_chats <= MAX_LIMIT:
        raise InvalidInput(_("a chat limit is between 0 and %(max)s", max=MAX_LIMIT))
    accounts.get_agent(session, agent_id)
    row = session.get(ChatAgentLimit, agent_id)
    if row is None:
        session.add(ChatAgentLimit(agent_id=agent_id, max_chats=max_chats))
    else:
        row.max_chats = max_chats
    session.flush()
    return max_chats


def agent_name(session: Session, actor: Actor) -> str:
    """The agent's own name, as shoppers see it (an API token's actor name adds the token's)."""
    if actor.agent_id is None:
        return actor.name
    return accounts.get_agent(session, actor.agent_id).name


def _check_room(session: Session, agent_id: int, *, name: str) -> None:
    limit = limit_of(session, agent_id)
    if active_count(session, agent_id) >= limit:
        raise InvalidInput(
            _("%(name)s already has %(limit)s active chats (the limit)", name=name, limit=limit)
        )


def accept(session: Session, *, actor: Actor, chat_id: int) -> ChatView:
    """The actor takes a waiting chat: it becomes theirs and so does its ticket. Refused when
    another agent was first, or when the actor is at their chat limit."""
    require(actor, "tickets.update")
    if actor.agent_id is None:
        raise InvalidInput(_("only an agent can accept a chat"))
    chat = locked_chat(session, chat_id)
    if chat.status != "waiting":
        if chat.status == "active" and chat.agent_id == actor.agent_id:
            return get_chat(session, chat_id)
        raise InvalidInput(_("this chat was already taken or has ended"))
    name = agent_name(session, actor)
    _check_room(session, actor.agent_id, name=name)
    now = utcnow()
    chat.status, chat.agent_id, chat.accepted_at = "active", actor.agent_id, chat.accepted_at or now
    if chat.ticket_id is not None:
        tickets.update_ticket(
            session,
            actor=actor,
            ticket_id=chat.ticket_id,
            data=TicketUpdate(assignee_id=actor.agent_id),
        )
    with chat_language(chat):
        add_system_entry(session, chat, _("%(name)s joined the chat", name=name))
    emit(
        session,
        "chat.accepted",
        subject_type="chat",
        subject_id=chat.id,
        payload={
            "ticket_id": chat.ticket_id,
            "agent_id": actor.agent_id,
            "wait_seconds": int((now - chat.started_at).total_seconds()),
        },
        actor=actor,
    )
    publish_status(session, chat, name)
    return get_chat(session, chat_id)


def transfer(
    session: Session,
    *,
    actor: Actor,
    chat_id: int,
    agent_id: int | None = None,
    team_id: int | None = None,
) -> ChatView:
    """Hand an open chat to an agent (active at once, within their limit) or to a team (back
    in the queue for that team's agents)."""
    require(actor, "tickets.update")
    if (agent_id is None) == (team_id is None):
        raise InvalidInput(_("transfer a chat to an agent or to a team"))
    chat = locked_chat(session, chat_id)
    if chat.status == "ended":
        raise InvalidInput(_("this chat has ended"))
    before = {"agent_id": chat.agent_id, "team_id": chat.team_id}
    if agent_id is not None:
        agent = accounts.assignable_agent(session, agent_id)
        if agent_id == chat.agent_id:
            raise InvalidInput(_("the chat is already with %(name)s", name=agent.name))
        _check_room(session, agent_id, name=agent.name)
        chat.status, chat.agent_id = "active", agent_id
        chat.accepted_at = chat.accepted_at or utcnow()
        update = TicketUpdate(assignee_id=agent_id)
        with chat_language(chat):
            note = _(
                "%(from)s transferred the chat to %(to)s",
                **{"from": agent_name(session, actor), "to": agent.name},
            )
        new_agent: str | None = agent.name
    else:
        assert team_id is not None
        team = accounts.get_team(session, team_id)
        chat.status, chat.agent_id, chat.team_id = "waiting", None, team_id
        update = TicketUpdate(assignee_id=None, team_id=team_id)
        with chat_language(chat):
            note = _(
                "%(from)s transferred the chat to the %(team)s team",
                **{"from": agent_name(session, actor), "team": team.name},
            )
        new_agent = None
    if chat.ticket_id is not None:
        tickets.update_ticket(session, actor=actor, ticket_id=chat.ticket_id, data=update)
    add_system_entry(session, chat, note)
    emit(
        session,
        "chat.transferred",
        subject_type="chat",
        subject_id=chat.id,
        payload={
            "ticket_id": chat.ticket_id,
            "before": before,
            "after": {"agent_id": chat.agent_id, "team_id": chat.team_id},
        },
        actor=actor,
    )
    publish_status(session, chat, new_agent)
    return get_chat(session, chat_id)


def end(session: Session, *, actor: Actor | None, chat_id: int) -> ChatView:
    """End the chat (an agent, or the shopper when `actor` is None). Ending twice is a no-op."""
    if actor is not None:
        require(actor, "tickets.update")
    chat = locked_chat(session, chat_id)
    if chat.status == "ended":
        return get_chat(session, chat_id)
    chat.status, chat.ended_at = "ended", utcnow()
    with chat_language(chat):
        if actor is None:
            add_system_entry(session, chat, _("The visitor ended the chat"))
        else:
            add_system_entry(
                session, chat, _("%(name)s ended the chat", name=agent_name(session, actor))
            )
    emit(
        session,
        "chat.ended",
        subject_type="chat",
        subject_id=chat.id,
        payload={
            "ticket_id": chat.ticket_id,
            "agent_id": chat.agent_id,
            "by": "visitor" if actor is None else "agent",
            "duration_seconds": int((chat.ended_at - chat.started_at).total_seconds()),
        },
        actor=actor,
    )
    publish_status(session, chat, None)
    return get_chat(session, chat_id)


def publish_typing(broadcast: Broadcast, chat_id: int, *, author: str, name: str, on: bool) -> None:
    """Typing is a passing signal, never stored: it goes straight to `chat:<id>`."""
    broadcast.publish_sync(
        chat_channel(chat_id),
        {"type": "typing", "chat_id": chat_id, "author": author, "name": name, "on": bool(on)},
    )
