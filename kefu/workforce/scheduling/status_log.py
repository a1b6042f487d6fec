"""The agent status log: every status change, kept for adherence and intraday counts."""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kefu.events import Event
from kefu.workforce.scheduling.models import AgentStatusLog

OFFLINE = "offline"


def record(session: Session, event: Event) -> None:
    """Log one `agent.status_changed` event, once however often it is handled."""
    if session.scalar(select(AgentStatusLog.id).where(AgentStatusLog.event_id == event.id)):
        return
    session.add(
        AgentStatusLog(
            event_id=event.id,
            agent_id=int(event.subject_id),
            status=str((event.payload or {}).get("after") or OFFLINE),
            changed_at=event.created_at,
        )
    )
    session.flush()


def timelines(
    session: Session, agent_ids: list[int], start_at: datetime, end_at: datetime
) -> dict[int, list[tuple[datetime, str]]]:
    """Each agent's status changes in a span, led by the status they were in at its start
    (offline when nothing is known)."""
    found: dict[int, list[tuple[datetime, str]]] = defaultdict(list)
    if not agent_ids:
        return found
    latest = (
        select(AgentStatusLog.agent_id, func.max(AgentStatusLog.id).label("id"))
        .where(AgentStatusLog.agent_id.in_(agent_ids), AgentStatusLog.changed_at <= start_at)
        .group_by(AgentStatusLog.agent_id)
        .subquery()
    )
    before = session.execute(
        select(AgentStatusLog.agent_id, AgentStatusLog.status).join(
            latest, latest.c.id == AgentStatusLog.id
        )
    )
    opening = {row.agent_id: row.status for row in before}
    for agent_id in agent_ids:
        found[agent_id].append((start_at, opening.get(agent_id, OFFLINE)))
    rows = session.execute(
        select(AgentStatusLog.agent_id, AgentStatusLog.changed_at, AgentStatusLog.status)
        .where(
            AgentStatusLog.agent_id.in_(agent_ids),
            AgentStatusLog.changed_at > start_at,
            AgentStatusLog.changed_at < end_at,
        )
        .order_by(AgentStatusLog.changed_at, AgentStatusLog.id)
    )
    for row in rows:
        found[row.agent_id].append((row.changed_at, row.status))
    return found
