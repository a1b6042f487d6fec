"""In-app notifications: assigned to you, you were mentioned, your customer replied.

The outbox handlers in `kefu.tickets.notify_jobs` create them; an agent reads them here.
Every change to an agent's unread count is published on the channel `agent:<id>` after
commit, so the badge in the top bar of every open page follows.
"""

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from kefu.errors import InvalidInput
from kefu.kit.actor import Actor
from kefu.kit.broadcast import Message, publish_after_commit
from kefu.kit.clock import utcnow
from kefu.kit.i18n import N_
from kefu.kit.pagination import Page, newest_first
from kefu.tickets.models import Notification

Kind = Literal["assigned", "mentioned", "customer_replied", "rule", "article_feedback"]
KINDS: dict[str, str] = {
    # %(name)s is who did it, %(ticket)s the ticket number.
    "assigned": N_("%(name)s assigned ticket #%(ticket)s to you"),
    "mentioned": N_("%(name)s mentioned you on ticket #%(ticket)s"),
    "customer_replied": N_("The customer replied on ticket #%(ticket)s"),
    # %(name)s is the rule (trigger or automation) that asks for the agent's attention.
    "rule": N_("%(name)s: ticket #%(ticket)s needs your attention"),
    # %(name)s is the title of a help-center article the notified agent owns.
    "article_feedback": N_("A reader commented on your article “%(name)s”"),
}
# Where a notice that is not about a ticket leads.
KIND_LINKS: dict[str, str] = {"article_feedback": "/admin/helpcenter-feedback"}
MAX_MARK_IDS = 500


def agent_channel(agent_id: int) -> str:
    return f"agent:{agent_id}"


def _agent_id(actor: Actor) -> int:
    if actor.agent_id is None:
        raise InvalidInput("notifications belong to agents; this actor is not one")
    return actor.agent_id


def list_notifications(
    session: Session,
    *,
    actor: Actor,
    cursor: int | None = None,
    limit: int = 50,
    unread_only: bool = False,
) -> Page[Notification]:
    """The actor's own notifications, newest first; `cursor` is the previous page's
    `next_cursor`."""
    statement = select(Notification).where(Notification.agent_id == _agent_id(actor))
    if unread_only:
        statement = statement.where(Notification.read_at.is_(None))
    return newest_first(session, statement, Notification.id, before_id=cursor, limit=limit)


def unread_count(session: Session, *, actor: Actor) -> int:
    return count_unread(session, _agent_id(actor))


def count_unread(session: Session, agent_id: int) -> int:
    """The agent's unread count, for a caller that knows the agent (the event stream)."""
    statement = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.agent_id == agent_id, Notification.read_at.is_(None))
    )
    return int(session.scalar(statement) or 0)


def badge_message(unread: int) -> Message:
    return {"type": "badge", "unread": unread}


def publish_badge(session: Session, agent_id: int) -> None:
    """Queue the agent's new unread count for every open page, sent after commit."""
    session.flush()
    unread = count_unread(session, agent_id)
    publish_after_commit(session, agent_channel(agent_id), badge_message(unread))


def mark_read(
    session: Session, *, actor: Actor, ids: list[int] | None = None, all: bool = False
) -> int:
    """Mark some (`ids`) or `all` of the actor's unread notifications read; returns how many
    changed. Ids of other agents' notifications are left alone, never revealed."""
    agent_id = _agent_id(actor)
    if all == bool(ids):
        raise InvalidInput("give either ids or all, not both and not neither")
    if ids is not None and len(ids) > MAX_MARK_IDS:
        raise InvalidInput(f"at most {MAX_MARK_IDS} ids at once")
    statement = update(Notification).where(
        Notification.agent_id == agent_id, Notification.read_at.is_(None)
    )
    if not all:
        statement = statement.where(Notification.id.in_(ids or []))
    changed = session.execute(statement.values(read_at=utcnow())).rowcount
    if changed:
        publish_badge(session, agent_id)
    return int(changed)


def mark_ticket_read(session: Session, *, actor: Actor, ticket_id: int) -> int:
    """Opening a ticket reads its notifications: the ticket page calls this."""
    agent_id = _agent_id(actor)
    changed = session.execute(
        update(Notification)
        .where(
            Notification.agent_id == agent_id,
            Notification.ticket_id == ticket_id,
            Notification.read_at.is_(None),
        )
        .values(read_at=utcnow())
    ).rowcount
    if changed:
        publish_badge(session, agent_id)
    return int(changed)


def notify(
    session: Session,
    *,
    event_id: int,
    agent_id: int,
    kind: Kind,
    ticket_id: int | None,
    message_id: int | None = None,
    actor_name: str = "",
) -> Notification | None:
    """Add one notification unless this event already gave the agent one of this kind
    (handlers run again after a crash or retry); returns the new row or None."""
    existing = session.scalar(
        select(Notification.id).where(
            Notification.event_id == event_id,
            Notification.agent_id == agent_id,
            Notification.kind == kind,
        )
    )
    if existing is not None:
        return None
    notification = Notification(
        agent_id=agent_id,
        kind=kind,
        ticket_id=ticket_id,
        message_id=message_id,
        actor_name=actor_name[:200],
        event_id=event_id,
    )
    session.add(notification)
    publish_badge(session, agent_id)
    return notification


@dataclass(frozen=True, slots=True)
class Notice:
    """One notification for `notify_many`, as `notify` takes it."""

    event_id: int
    agent_id: int
    kind: Kind
    ticket_id: int | None
    message_id: int | None = None
    actor_name: str = ""


def notify_many(session: Session, notices: list[Notice]) -> int:
    """`notify` for many at once (a batch handler): one read of those that exist, one
    insert, and each agent's badge published once with its count after them all. The same
    rows as `notify` one by one: none twice for an (event, agent, kind). Returns how many
    were added."""
    if not notices:
        return 0
    event_ids = sorted({notice.event_id for notice in notices})
    rows = session.execute(
        select(Notification.event_id, Notification.agent_id, Notification.kind).where(
            Notification.event_id.in_(event_ids)
        )
    )
    seen = {(row.event_id, row.agent_id, row.kind) for row in rows}
    added: list[dict[str, object]] = []
    notified: dict[int, None] = {}  # in order, each once
    for notice in notices:
        key = (notice.event_id, notice.agent_id, notice.kind)
        if key in seen:
            continue
        seen.add(key)
        notified.setdefault(notice.agent_id)
        added.append(
            {
                "agent_id": notice.agent_id,
                "kind": notice.kind,
                "ticket_id": notice.ticket_id,
                "message_id": notice.message_id,
                "actor_name": notice.actor_name[:200],
                "event_id": notice.event_id,
                "created_at": utcnow(),
            }
        )
    if added:  # one executemany; nothing reads the rows back here (not audited)
        session.execute(insert(Notification.__table__), added)
    for agent_id in notified:
        publish_badge(session, agent_id)
    return len(added)
