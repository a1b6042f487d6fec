"""Assignment's tables: agents' status, each team's method and capacities."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from kefu.db import Audited, Base, BigId, UtcDateTime
from kefu.kit.clock import utcnow


class AgentStatus(Audited, Base):
    """Whether an agent takes new tickets: online, away or offline (no row = offline).
    `last_assigned_at` breaks ties between equally loaded agents (longest waiting first)."""

    __tablename__ = "agent_statuses"
    __audit_ignore__ = frozenset({"last_assigned_at"})

    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )
    status: Mapped[str] = mapped_column(String(10), default="offline")
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_assigned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class TeamAssignment(Audited, Base):
    """A team's assignment method and default capacity (no row = manual).

    `last_agent_id` is round robin's position: the next pick is the first eligible member
    after it. The row is locked while a pick is made, so concurrent workers take turns."""

    __tablename__ = "team_assignments"
    __audit_ignore__ = frozenset({"last_agent_id"})

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    method: Mapped[str] = mapped_column(String(20), default="manual")
    default_capacity: Mapped[int | None] = mapped_column(Integer)
    last_agent_id: Mapped[int | None] = mapped_column(Integer)


class AgentCapacity(Audited, Base):
    """A member's own maximum of open tickets in a team, over the team's default."""

    __tablename__ = "agent_capacities"

    team_id: Mapped[int] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    agent_id: Mapped[int] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    max_open: Mapped[int] = mapped_column(Integer)


class AssignmentWait(Base):
    """A team ticket no agent could take yet, and why (said once in an internal note).
    Waiting tickets are offered again, oldest first, when an agent comes online."""

    __tablename__ = "assignment_waits"

    ticket_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True
    )
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(500))
    since: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (Index(None, "team_id", "since"),)
