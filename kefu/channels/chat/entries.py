"""A chat's entries: numbered 1, 2, 3 … per chat, published after commit on `chat:<id>`.

The chat row is locked while its next seq is taken (FOR UPDATE on PostgreSQL; SQLite's
write lock is already held by the transaction), so two processes adding to one chat queue
up instead of both taking the same number."""

import contextlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.channels.chat.models import Chat, ChatEntry, ChatVisitor
from kefu.channels.chat.schemas import EntryView
from kefu.errors import NotFound
from kefu.kit import i18n
from kefu.kit.broadcast import publish_after_commit
from kefu.kit.clock import utcnow

QUEUE_CHANNEL = "chats:queue"


def chat_channel(chat_id: int) -> str:
    """The visitor's socket and the agents viewing the chat's ticket listen here."""
    return f"chat:{chat_id}"


def locked_chat(session: Session, chat_id: int) -> Chat:
    """The chat, locked for this transaction (NotFound if there is none)."""
    chat = session.scalar(
        select(Chat)
        .where(Chat.id == chat_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if chat is None:
        raise NotFound(i18n.gettext("chat %(id)s not found", id=chat_id))
    return chat


@contextlib.contextmanager
def chat_language(chat: Chat) -> Iterator[None]:
    """System entries are written in the shopper's language (the widget's locale)."""
    token = i18n.current_language.set("zh_Hans" if chat.locale.startswith("zh") else "en")
    try:
        yield
    finally:
        i18n.current_language.reset(token)


def append_entry(
    session: Session,
    chat: Chat,
    *,
    author: str,
    body: str,
    name: str,
    agent_id: int | None = None,
    client_id: str | None = None,
    message_id: int | None = None,
    attachments: list[dict[str, Any]] | None = None,
    created_at: datetime | None = None,
) -> EntryView:
    """Add the chat's next entry; `chat` must be locked (`locked_chat`) by the caller."""
    chat.last_seq = (chat.last_seq or 0) + 1
    entry = ChatEntry(
        chat_id=chat.id,
        seq=chat.last_seq,
        author=author,
        agent_id=agent_id,
        client_id=client_id,
        message_id=message_id,
        body=body,
        attachments=attachments or [],
        created_at=created_at or utcnow(),
    )
    session.add(entry)
    session.flush()
    view = _view(entry, name)
    publish_after_commit(session, chat_channel(chat.id), {**view.wire(), "chat_id": chat.id})
    return view


def add_system_entry(session: Session, chat: Chat, body: str) -> EntryView:
    return append_entry(session, chat, author="system", body=body, name="")


def publish_status(session: Session, chat: Chat, agent_name: str | None) -> None:
    """Tell the visitor's socket and the agents' pages that the chat changed hands or ended."""
    message = {
        "type": "status",
        "chat_id": chat.id,
        "status": chat.status,
        "agent": {"name": agent_name} if agent_name else None,
    }
    publish_after_commit(session, chat_channel(chat.id), message)
    publish_queue_change(session, chat)


def count_waiting(session: Session) -> int:
    """Chats in the queue: a shopper has written and no agent has accepted yet."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Chat)
            .where(Chat.status == "waiting", Chat.ticket_id.is_not(None))
        )
        or 0
    )


def publish_queue_change(session: Session, chat: Chat) -> None:
    session.flush()
    publish_after_commit(
        session,
        QUEUE_CHANNEL,
        {
            "type": "chat",
            "chat_id": chat.id,
            "status": chat.status,
            "agent_id": chat.agent_id,
            "team_id": chat.team_id,
            "ticket_id": chat.ticket_id,
            "waiting": count_waiting(session),
        },
    )


def entry_by_client_id(session: Session, chat_id: int, client_id: str) -> EntryView | None:
    entry = session.scalar(
        select(ChatEntry).where(ChatEntry.chat_id == chat_id, ChatEntry.client_id == client_id)
    )
    if entry is None:
        return None
    return entry_views(session, [entry])[0]


def entry_for_message(session: Session, message_id: int) -> ChatEntry | None:
    return session.scalar(select(ChatEntry).where(ChatEntry.message_id == message_id))


def entries(
    session: Session, chat_id: int, after_seq: int = 0, *, limit: int = 500
) -> list[EntryView]:
    """The chat's entries after `after_seq`, in order (what a reconnecting widget missed)."""
    rows = list(
        session.scalars(
            select(ChatEntry)
            .where(ChatEntry.chat_id == chat_id, ChatEntry.seq > after_seq)
            .order_by(ChatEntry.seq)
            .limit(limit)
        )
    )
    return entry_views(session, rows)


def entry_views(session: Session, rows: list[ChatEntry]) -> list[EntryView]:
    """Views with each author's display name (one query for the agents, one for visitors)."""
    agents = accounts.agents_by_ids(session, {r.agent_id for r in rows if r.agent_id})
    visitor_names: dict[int, str] = {}
    chat_ids = {r.chat_id for r in rows if r.author == "visitor"}
    if chat_ids:
        found = session.execute(
            select(Chat.id, ChatVisitor.name)
            .join(ChatVisitor, ChatVisitor.id == Chat.visitor_id)
            .where(Chat.id.in_(chat_ids))
        )
        visitor_names = {row.id: row.name for row in found}
    views = []
    for row in rows:
        if row.author == "agent":
            agent = agents.get(row.agent_id) if row.agent_id else None
            name = agent.name if agent is not None else ""
        elif row.author == "visitor":
            name = visitor_names.get(row.chat_id, "")
        else:
            name = ""
        views.append(_view(row, name))
    return views


def _view(entry: ChatEntry, name: str) -> EntryView:
    return EntryView(
        seq=entry.seq,
        author=entry.author,  # type: ignore[arg-type]
        name=name,
        body=entry.body,
        client_id=entry.client_id,
        agent_id=entry.agent_id,
        message_id=entry.message_id,
        attachments=list(entry.attachments or []),
        created_at=entry.created_at,
    )
