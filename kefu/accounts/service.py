"""Agents, teams and skills: who works in kefu and what they may do."""

from collections.abc import Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kefu.accounts.models import Agent, AgentSkill, SignInSession, Skill, Team, TeamMembership
from kefu.accounts.passwords import hash_password
from kefu.accounts.schemas import AgentCreate, AgentUpdate, TeamCreate
from kefu.errors import Conflict, InvalidInput, NotFound
from kefu.events import emit
from kefu.kit.actor import Actor
from kefu.permissions import Role, require


def normalize_email(email: str) -> str:
    return email.strip().lower()


def agent_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Agent)) or 0


def get_agent(session: Session, agent_id: int) -> Agent:
    agent = session.get(Agent, agent_id)
    if agent is None:
        raise NotFound(f"agent {agent_id} not found")
    return agent


def find_agent_by_email(session: Session, email: str) -> Agent | None:
    return session.scalar(select(Agent).where(Agent.email == normalize_email(email)))


def active_agent_ids_by_email(session: Session) -> dict[str, int]:
    """Every active agent's address (mail from it on a ticket is that agent's reply)."""
    rows = session.execute(select(Agent.email, Agent.id).where(Agent.is_active.is_(True)))
    return {row.email: row.id for row in rows}


def actor_for(agent: Agent) -> Actor:
    return Actor(kind="agent", name=agent.name, agent_id=agent.id, role=agent.role)


def _insert_agent(session: Session, data: AgentCreate) -> Agent:
    email = normalize_email(str(data.email))
    if find_agent_by_email(session, email) is not None:
        raise Conflict(f"an agent with the email {email} already exists")
    agent = Agent(
        name=data.name,
        email=email,
        password_hash=hash_password(data.password) if data.password else None,
        role=data.role.value,
        language=data.language,
        is_active=True,
    )
    session.add(agent)
    session.flush()
    emit(
        session,
        "agent.created",
        subject_type="agent",
        subject_id=agent.id,
        payload={"role": agent.role},
    )
    return agent


def create_agent(session: Session, *, actor: Actor, data: AgentCreate) -> Agent:
    require(actor, "agents.manage")
    return _insert_agent(session, data)


def create_first_admin(session: Session, *, data: AgentCreate) -> Agent:
    """The first-run set-up: allowed only while kefu has no agent at all."""
    if agent_count(session) > 0:
        raise Conflict("kefu already has an administrator; sign in instead")
    if not data.password:
        raise InvalidInput("the first administrator needs a password")
    return _insert_agent(session, data.model_copy(update={"role": Role.ADMIN}))


def update_agent(session: Session, *, actor: Actor, agent_id: int, data: AgentUpdate) -> Agent:
    is_self = actor.agent_id == agent_id
    # null clears language or time zone; name, role and is_active cannot be cleared: unchanged.
    changes = {
        field: value
        for field, value in data.model_dump(exclude_unset=True).items()
        if value is not None or field in ("language", "time_zone")
    }
    if not (is_self and set(changes) <= {"name", "language", "time_zone", "signature"}):
        require(actor, "agents.manage")
    agent = get_agent(session, agent_id)
    if is_self and (
        changes.get("is_active") is False or changes.get("role", agent.role) != agent.role
    ):
        raise InvalidInput("you cannot deactivate yourself or change your own role")
    for field, value in changes.items():
        setattr(agent, field, value.value if isinstance(value, Role) else value)
    if changes.get("is_active") is False:
        session.execute(delete(SignInSession).where(SignInSession.agent_id == agent_id))
    session.flush()
    emit(
        session,
        "agent.updated",
        subject_type="agent",
        subject_id=agent.id,
        payload={"fields": sorted(changes)},
    )
    return agent


def set_language(session: Session, *, actor: Actor, language: str) -> None:
    if actor.agent_id is not None:
        update_agent(
            session,
            actor=actor,
            agent_id=actor.agent_id,
            data=AgentUpdate.model_validate({"language": language}),
        )


def list_agents(session: Session, *, actor: Actor, include_inactive: bool = True) -> list[Agent]:
    require(actor, "tickets.read")
    statement = select(Agent).order_by(Agent.name)
    if not include_inactive:
        statement = statement.where(Agent.is_active.is_(True))
    return list(session.scalars(statement))


def create_team(session: Session, *, actor: Actor, data: TeamCreate) -> Team:
    require(actor, "teams.manage")
    if session.scalar(select(Team).where(Team.name == data.name)) is not None:
        raise Conflict(f"a team named {data.name} already exists")
    team = Team(name=data.name, description=data.description)
    session.add(team)
    session.flush()
    emit(session, "team.created", subject_type="team", subject_id=team.id)
    return team


def list_teams(session: Session, *, actor: Actor) -> list[Team]:
    require(actor, "tickets.read")
    return list(session.scalars(select(Team).order_by(Team.name)))


def add_team_member(session: Session, *, actor: Actor, team_id: int, agent_id: int) -> None:
    require(actor, "teams.manage")
    if session.get(Team, team_id) is None:
        raise NotFound(f"team {team_id} not found")
    get_agent(session, agent_id)
    if session.get(TeamMembership, (team_id, agent_id)) is None:
        session.add(TeamMembership(team_id=team_id, agent_id=agent_id))
        session.flush()


def remove_team_member(session: Session, *, actor: Actor, team_id: int, agent_id: int) -> None:
    require(actor, "teams.manage")
    membership = session.get(TeamMembership, (team_id, agent_id))
    if membership is not None:
        session.delete(membership)
        session.flush()


def members_by_team(session: Session, *, actor: Actor) -> dict[int, list[Agent]]:
    """Every team's members, by team id, in one query."""
    require(actor, "tickets.read")
    rows = session.execute(
        select(TeamMembership.team_id, Agent)
        .join(Agent, Agent.id == TeamMembership.agent_id)
        .order_by(Agent.name)
    ).all()
    members: dict[int, list[Agent]] = {}
    for team_id, agent in rows:
        members.setdefault(team_id, []).append(agent)
    return members


def team_ids_of(session: Session, agent_id: int) -> list[int]:
    return list(
        session.scalars(select(TeamMembership.team_id).where(TeamMembership.agent_id == agent_id))
    )


def ensure_skill(session: Session, *, actor: Actor, name: str) -> Skill:
    require(actor, "teams.manage")
    skill = session.scalar(select(Skill).where(Skill.name == name))
    if skill is None:
        skill = Skill(name=name)
        session.add(skill)
        session.flush()
    return skill


def set_agent_skill(
    session: Session, *, actor: Actor, agent_id: int, skill_id: int, level: int = 3
) -> None:
    require(actor, "teams.manage")
    if not 1 <= level <= 5:
        raise InvalidInput("skill level is 1 to 5")
    get_agent(session, agent_id)
    link = session.get(AgentSkill, (agent_id, skill_id))
    if link is None:
        session.add(AgentSkill(agent_id=agent_id, skill_id=skill_id, level=level))
    else:
        link.level = level
    session.flush()


def get_team(session: Session, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"team {team_id} not found")
    return team


def agents_by_ids(session: Session, agent_ids: Iterable[int | None]) -> dict[int, Agent]:
    """Agents for a page of rows in one query (names beside tickets and messages)."""
    ids = {agent_id for agent_id in agent_ids if agent_id is not None}
    if not ids:
        return {}
    return {a.id: a for a in session.scalars(select(Agent).where(Agent.id.in_(ids)))}


def assignable_agent(session: Session, agent_id: int) -> Agent:
    """An agent who may own tickets: active and not a light agent."""
    agent = get_agent(session, agent_id)
    if not agent.is_active:
        raise InvalidInput(f"{agent.name} is deactivated and cannot be assigned tickets")
    if agent.role == Role.LIGHT_AGENT:
        raise InvalidInput(f"{agent.name} is a light agent and cannot be assigned tickets")
    return agent


def skills_of(session: Session, agent_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Each agent's skills by name with their level, in one query (routing, the teams page)."""
    ids = list(set(agent_ids))
    found: dict[int, dict[str, int]] = {agent_id: {} for agent_id in ids}
    if ids:
        rows = session.execute(
            select(AgentSkill.agent_id, Skill.name, AgentSkill.level)
            .join(Skill, Skill.id == AgentSkill.skill_id)
            .where(AgentSkill.agent_id.in_(ids))
        )
        for agent_id, name, level in rows:
            found[agent_id][name] = level
    return found


def skill_names(session: Session) -> set[str]:
    return set(session.scalars(select(Skill.name)))


def remove_agent_skill(session: Session, *, actor: Actor, agent_id: int, name: str) -> None:
    require(actor, "teams.manage")
    skill = session.scalar(select(Skill).where(Skill.name == name))
    link = None if skill is None else session.get(AgentSkill, (agent_id, skill.id))
    if link is not None:
        session.delete(link)
        session.flush()
