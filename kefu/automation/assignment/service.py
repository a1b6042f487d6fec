"""Agent status (online / away / offline) and each team's assignment settings."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.automation.assignment.models import AgentCapacity, AgentStatus, TeamAssignment
from kefu.automation.assignment.schemas import (
    AgentStatusValue,
    Method,
    TeamAssignmentIn,
    TeamAssignmentRead,
)
from kefu.errors import InvalidInput
from kefu.events import emit
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.permissions import can, require


def statuses_of(session: Session, agent_ids: Iterable[int]) -> dict[int, str]:
    """Each agent's status; an agent who never set one is offline."""
    ids = list(set(agent_ids))
    found = dict.fromkeys(ids, AgentStatusValue.OFFLINE.value)
    if ids:
        rows = session.execute(
            select(AgentStatus.agent_id, AgentStatus.status).where(AgentStatus.agent_id.in_(ids))
        )
        found.update({row.agent_id: row.status for row in rows})
    return found


def status_of(session: Session, agent_id: int) -> str:
    return statuses_of(session, [agent_id])[agent_id]


def set_status(
    session: Session, *, actor: Actor, agent_id: int, status: AgentStatusValue
) -> AgentStatus:
    """An agent sets their own status; managers may set anyone's (end of shift).
    Emits `agent.status_changed` (payload {"before", "after"}) when it changed."""
    if actor.agent_id != agent_id:
        require(actor, "teams.manage")
    accounts.get_agent(session, agent_id)
    row = session.get(AgentStatus, agent_id)
    before = row.status if row is not None else AgentStatusValue.OFFLINE.value
    if row is None:
        row = AgentStatus(agent_id=agent_id, status=status.value, changed_at=utcnow())
        session.add(row)
    elif row.status != status.value:
        row.status = status.value
        row.changed_at = utcnow()
    session.flush()
    if before != status.value:
        emit(
            session,
            "agent.status_changed",
            subject_type="agent",
            subject_id=agent_id,
            payload={"before": before, "after": status.value},
            actor=actor,
        )
    return row


MARKS_KEY = "kefu.assignment.marks"


@dataclass
class _Marks:
    positions: dict[int, int] = field(default_factory=dict)  # team -> round robin's last
    assigned: dict[int, datetime] = field(default_factory=dict)  # agent -> last assigned


@contextmanager
def marks_at_end(session: Session) -> Iterator[None]:
    """Within the block, round robin's position and the agents' last-assignment times are
    kept in memory and written once when it ends (a batch handler assigning many tickets),
    not with an UPDATE per pick; what reads them here sees them. Written only when the block
    ends normally: an error rolls the handler's work back anyway."""
    if MARKS_KEY in session.info:
        yield
        return
    marks = session.info[MARKS_KEY] = _Marks()
    try:
        yield
        for team_id, agent_id in marks.positions.items():
            row = session.get(TeamAssignment, team_id)
            if row is not None:
                row.last_agent_id = agent_id
        for agent_id, at in marks.assigned.items():
            _status_row(session, agent_id).last_assigned_at = at
        session.flush()
    finally:
        session.info.pop(MARKS_KEY, None)


def _marks(session: Session) -> _Marks | None:
    return session.info.get(MARKS_KEY)


def _status_row(session: Session, agent_id: int) -> AgentStatus:
    row = session.get(AgentStatus, agent_id)
    if row is None:
        row = AgentStatus(agent_id=agent_id, status=AgentStatusValue.OFFLINE.value)
        session.add(row)
    return row


def mark_assigned(session: Session, agent_id: int) -> datetime:
    """Remember when an agent last got a ticket (ties go to who waited longest); returns it."""
    now = utcnow()
    marks = _marks(session)
    if marks is not None:
        marks.assigned[agent_id] = now
        return now
    _status_row(session, agent_id).last_assigned_at = now
    session.flush()
    return now


def last_assigned(session: Session, agent_ids: Iterable[int]) -> dict[int, float]:
    """When each agent last got a ticket, as a timestamp (0 for never)."""
    ids = list(set(agent_ids))
    found = dict.fromkeys(ids, 0.0)
    if ids:
        rows = session.execute(
            select(AgentStatus.agent_id, AgentStatus.last_assigned_at).where(
                AgentStatus.agent_id.in_(ids)
            )
        )
        found.update({a: at.timestamp() for a, at in rows if at is not None})
    marks = _marks(session)
    if marks is not None:
        found.update({a: at.timestamp() for a, at in marks.assigned.items() if a in found})
    return found


def team_settings(session: Session, team_id: int, *, lock: bool = False) -> TeamAssignmentRead:
    """A team's method, default capacity and members' own capacities (manual when unset).
    `lock` holds the team's row until commit, so two workers pick one after the other."""
    statement = select(TeamAssignment).where(TeamAssignment.team_id == team_id)
    row = session.scalar(statement.with_for_update() if lock else statement)
    capacities = {
        c.agent_id: c.max_open
        for c in session.scalars(select(AgentCapacity).where(AgentCapacity.team_id == team_id))
    }
    return TeamAssignmentRead(
        team_id=team_id,
        method=Method(row.method) if row is not None else Method.MANUAL,
        default_capacity=row.default_capacity if row is not None else None,
        capacities=capacities,
    )


def settings_by_team(session: Session) -> dict[int, TeamAssignmentRead]:
    rows = session.scalars(select(TeamAssignment)).all()
    return {row.team_id: team_settings(session, row.team_id) for row in rows}


def round_robin_position(session: Session, team_id: int) -> int | None:
    marks = _marks(session)
    if marks is not None and team_id in marks.positions:
        return marks.positions[team_id]
    row = session.get(TeamAssignment, team_id)
    return row.last_agent_id if row is not None else None


def move_round_robin(session: Session, team_id: int, agent_id: int) -> None:
    marks = _marks(session)
    if marks is not None:
        if session.get(TeamAssignment, team_id) is not None:
            marks.positions[team_id] = agent_id
        return
    row = session.get(TeamAssignment, team_id)
    if row is not None:
        row.last_agent_id = agent_id
        session.flush()


def update_team_assignment(
    session: Session, *, actor: Actor, team_id: int, data: TeamAssignmentIn
) -> TeamAssignmentRead:
    """Set a team's method and capacities (audited); capacities only for its members."""
    require(actor, "teams.manage")
    accounts.get_team(session, team_id)
    members = {a.id for a in accounts.members_by_team(session, actor=actor).get(team_id, [])}
    strangers = set(data.capacities) - members
    if strangers:
        raise InvalidInput(f"agent {min(strangers)} is not a member of this team")
    for limit in data.capacities.values():
        if limit is not None and not 0 <= limit <= 10_000:
            raise InvalidInput("a capacity is 0 to 10000 open tickets")
    row = session.get(TeamAssignment, team_id)
    if row is None:
        row = TeamAssignment(team_id=team_id)
        session.add(row)
    row.method = data.method.value
    row.default_capacity = data.default_capacity
    own = {
        c.agent_id: c
        for c in session.scalars(select(AgentCapacity).where(AgentCapacity.team_id == team_id))
    }
    for agent_id, limit in data.capacities.items():
        if limit is None and agent_id in own:
            session.delete(own[agent_id])
        elif limit is not None and agent_id in own:
            own[agent_id].max_open = limit
        elif limit is not None:
            session.add(AgentCapacity(team_id=team_id, agent_id=agent_id, max_open=limit))
    session.flush()
    return team_settings(session, team_id)


def can_set_others(actor: Actor) -> bool:
    return can(actor, "teams.manage")
