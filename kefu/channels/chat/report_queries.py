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
    """Chats started in [since, until), oldest first: two queries (the chats' columns the
    report reads, and the first agent line of each), no ORM objects."""
    where = [Chat.started_at >= since, Chat.started_at < until]
    if widget_id is not None:
        where.append(Chat.widget_id == widget_id)
    if agent_id is not None:
        where.append(Chat.agent_id == agent_id)
    first_lines = session.execute(
        select(ChatEntry.chat_id, func.min(ChatEntry.created_at))
        .join(Chat, Chat.id == ChatEntry.chat_id)
        .where(*where, ChatEntry.author == "agent")
        .group_by(ChatEntry.chat_id)
    )
    first: dict[int, datetime] = {row[0]: row[1] for row in first_lines}
    rows = session.execute(
        select(
            Chat.id,
            Chat.ticket_id,
            Chat.widget_id,
            Chat.agent_id,
            Chat.status,
            Chat.started_at,
            Chat.accepted_at,
            Chat.ended_at,
            Chat.rating,
            Chat.transcript_sent_at,
        )
        .where(*where)
        .order_by(Chat.started_at, Chat.id)
    )
    return [
        ChatRow(
            id=r.id,
            ticket_id=r.ticket_id,
            widget_id=r.widget_id,
            agent_id=r.agent_id,
            status=r.status,
            started_at=r.started_at,
            accepted_at=r.accepted_at,
            ended_at=r.ended_at,
            first_agent_at=_aware(first.get(r.id), r.started_at),
            rating=r.rating,
            transcript_sent_at=r.transcript_sent_at,
        )
        for r in rows
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
