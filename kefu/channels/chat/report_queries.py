"""The read side of the live-chat report: one row per chat started in a period (with its
first agent line), and the offline messages ("leave a message" tickets) of the period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kefu.channels.chat.models import Chat, ChatEntry, ChatWidget
from kefu.kit.actor import Actor
from kefu.tickets.filters import TicketFilter
from kefu.tickets.queries import page_ids

OFFLINE_TAG = "chat-offline"  # kefu.channels.chat.offline tags the tickets it opens
MAX_OFFLINE = 100_000


@dataclass(frozen=True, slots=True)
class ChatRow:
    id: int
    ticket_id: int | None
    widget_id: int
    agent_id: int | None
    status: str
    started_at: datetime
    accepted_at: datetime | None
    ended_at: datetime | None
    first_agent_at: datetime | None  # the first line an agent wrote in the chat
    rating: int | None
    transcript_sent_at: datetime | None


def chat_rows(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    widget_id: int | None = None,
    agent_id: int | None = None,
) -> list[ChatRow]:
    """Chats started in [since, until), oldest first: two queries (chats, first agent lines)."""
    statement = select(Chat).where(Chat.started_at >= since, Chat.started_at < until)
    if widget_id is not None:
        statement = statement.where(Chat.widget_id == widget_id)
    if agent_id is not None:
        statement = statement.where(Chat.agent_id == agent_id)
    chats = list(session.scalars(statement.order_by(Chat.started_at, Chat.id)))
    first: dict[int, datetime] = {}
    ids = [c.id for c in chats]
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        rows = session.execute(
            select(ChatEntry.chat_id, func.min(ChatEntry.created_at))
            .where(ChatEntry.chat_id.in_(chunk), ChatEntry.author == "agent")
            .group_by(ChatEntry.chat_id)
        )
        first.update({row[0]: row[1] for row in rows})
    return [
        ChatRow(
            id=c.id,
            ticket_id=c.ticket_id,
            widget_id=c.widget_id,
            agent_id=c.agent_id,
            status=c.status,
            started_at=c.started_at,
            accepted_at=c.accepted_at,
            ended_at=c.ended_at,
            first_agent_at=_aware(first.get(c.id), c.started_at),
            rating=c.rating,
            transcript_sent_at=c.transcript_sent_at,
        )
        for c in chats
    ]


def _aware(moment: datetime | None, like: datetime) -> datetime | None:
    """An aggregate comes back naive on SQLite; the chat's own times are aware (UTC)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=like.tzinfo)


def offline_ticket_ids(session: Session, *, since: datetime, until: datetime) -> list[int]:
    """The tickets opened by "leave a message" while chat was closed, created in the period."""
    spec = TicketFilter(tags_all=[OFFLINE_TAG], created_after=since, created_before=until)
    found = page_ids(
        session, actor=Actor.system(), spec=spec, sort="created_asc", after=None, limit=MAX_OFFLINE
    )
    return [ticket_id for ticket_id, _key, _rank in found]


def widget_names(session: Session) -> dict[int, str]:
    rows = session.execute(select(ChatWidget.id, ChatWidget.name).order_by(ChatWidget.id))
    return {row[0]: row[1] for row in rows}
