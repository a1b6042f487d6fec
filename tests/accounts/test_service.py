"""Agents, teams, permissions, password resets and API tokens."""

import pytest
from sqlalchemy import func, select

from kefu.accounts import auth, service
from kefu.accounts.models import Agent, PasswordReset, SignInSession
from kefu.accounts.schemas import AgentCreate, AgentUpdate, TeamCreate
from kefu.db import Database
from kefu.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from kefu.events import Event
from kefu.kit.clock import utcnow
from kefu.permissions import Role
from tests.accounts.factories import PASSWORD, make_admin, make_agent

SECRET = "instance-secret-for-tests"


def test_create_agent_normalizes_email_hashes_password_and_emits(database: Database) -> None:
    admin = make_admin(database)
    with database.unit_of_work() as session:
        agent = service.create_agent(
            session,
            actor=service.actor_for(admin),
            data=AgentCreate(
                name="  Li Na ", email="Li.Na@Example.COM", password=PASSWORD, role=Role.AGENT
            ),
        )
    with database.sessions() as session:
        stored = session.get_one(Agent, agent.id)
        events = list(
            session.scalars(
                select(Event.type).where(
                    Event.subject_id == str(agent.id), Event.subject_type == "agent"
                )
            )
        )
    assert (stored.name, stored.email, stored.role) == ("Li Na", "li.na@example.com", "agent")
    assert stored.password_hash is not None and stored.password_hash.startswith("$argon2id$")
    assert events == ["agent.created"]


def test_duplicate_email_is_refused_and_nothing_changes(database: Database) -> None:
    admin = make_admin(database)
    make_agent(database, email="dup@example.com")
    with pytest.raises(Conflict), database.unit_of_work() as session:
        service.create_agent(
            session,
            actor=service.actor_for(admin),
            data=AgentCreate(name="Other", email="DUP@example.com", password=PASSWORD),
        )
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Agent)) == 2


@pytest.mark.parametrize("role", [Role.AGENT, Role.LIGHT_AGENT, Role.MANAGER])
def test_only_admins_manage_agents(database: Database, role: Role) -> None:
    actor = service.actor_for(make_agent(database, email="x@example.com", role=role))
    with pytest.raises(PermissionDenied), database.unit_of_work() as session:
        service.create_agent(
            session,
            actor=actor,
            data=AgentCreate(name="New", email="new@example.com", password=PASSWORD),
        )
    with database.sessions() as session:
        assert service.find_agent_by_email(session, "new@example.com") is None


def test_light_agent_may_read_and_note_but_not_reply() -> None:
    from kefu.kit.actor import Actor
    from kefu.permissions import can

    light = Actor(kind="agent", name="Finance", agent_id=1, role="light_agent")
    assert can(light, "tickets.read") and can(light, "tickets.note")
    assert not can(light, "tickets.reply") and not can(light, "tickets.update")


def test_agent_edits_own_profile_but_not_own_role(database: Database) -> None:
    agent = make_agent(database)
    actor = service.actor_for(agent)
    with database.unit_of_work() as session:
        service.update_agent(
            session,
            actor=actor,
            agent_id=agent.id,
            data=AgentUpdate(name="New Name", language="zh_Hans"),
        )
    with pytest.raises(PermissionDenied), database.unit_of_work() as session:
        service.update_agent(
            session, actor=actor, agent_id=agent.id, data=AgentUpdate(role=Role.ADMIN)
        )
    with database.sessions() as session:
        stored = session.get_one(Agent, agent.id)
    assert (stored.name, stored.language, stored.role) == ("New Name", "zh_Hans", "agent")


def test_admin_cannot_deactivate_themself(database: Database) -> None:
    admin = make_admin(database)
    with pytest.raises(InvalidInput), database.unit_of_work() as session:
        service.update_agent(
            session,
            actor=service.actor_for(admin),
            agent_id=admin.id,
            data=AgentUpdate(is_active=False),
        )


def test_deactivating_an_agent_ends_their_sessions(database: Database) -> None:
    admin, agent = make_admin(database), make_agent(database)
    with database.unit_of_work() as session:
        started = auth.start_session(session, agent=agent, days=1, ip=None, user_agent=None)
    with database.unit_of_work() as session:
        service.update_agent(
            session,
            actor=service.actor_for(admin),
            agent_id=agent.id,
            data=AgentUpdate(is_active=False),
        )
    with database.unit_of_work() as session:
        assert auth.agent_for_session(session, started.token) is None
        assert session.scalar(select(func.count()).select_from(SignInSession)) == 0


def test_first_admin_only_while_empty(database: Database) -> None:
    data = AgentCreate(name="Boss", email="boss@example.com", password=PASSWORD)
    with database.unit_of_work() as session:
        assert service.create_first_admin(session, data=data).role == "admin"
    with pytest.raises(Conflict), database.unit_of_work() as session:
        service.create_first_admin(
            session, data=data.model_copy(update={"email": "b2@example.com"})
        )


def test_authenticate_refuses_wrong_password_and_inactive(database: Database) -> None:
    agent = make_agent(database)
    with database.unit_of_work() as session:
        assert (
            auth.authenticate(session, email="AGENT@example.com", password=PASSWORD, ip="127.0.0.1")
            is not None
        )
        assert (
            auth.authenticate(session, email="agent@example.com", password="wrong", ip="127.0.0.1")
            is None
        )
        assert (
            auth.authenticate(
                session, email="nobody@example.com", password=PASSWORD, ip="127.0.0.1"
            )
            is None
        )
        session.get_one(Agent, agent.id).is_active = False
    with database.unit_of_work() as session:
        assert (
            auth.authenticate(session, email="agent@example.com", password=PASSWORD, ip=None)
            is None
        )


def test_password_reset_token_is_single_use_and_signs_out(database: Database) -> None:
    agent = make_agent(database)
    with database.unit_of_work() as session:
        old = auth.start_session(session, agent=agent, days=1, ip=None, user_agent=None)
        auth.request_password_reset(session, email="agent@example.com")
    with database.sessions() as session:
        reset = session.scalars(select(PasswordReset)).one()
    token = auth.reset_link_token(SECRET, reset.selector)
    with database.unit_of_work() as session:
        auth.reset_password(session, secret=SECRET, token=token, new_password="a new password!")
    with pytest.raises(InvalidInput), database.unit_of_work() as session:
        auth.reset_password(session, secret=SECRET, token=token, new_password="another one!!")
    with database.unit_of_work() as session:
        assert (
            auth.authenticate(session, email=agent.email, password="a new password!", ip=None)
            is not None
        )
        assert auth.agent_for_session(session, old.token) is None


def test_password_reset_refuses_forged_and_expired_tokens(database: Database) -> None:
    make_agent(database)
    with database.unit_of_work() as session:
        auth.request_password_reset(session, email="agent@example.com")
    with database.sessions() as session:
        reset = session.scalars(select(PasswordReset)).one()
    forged = f"{reset.selector}.not-the-hmac"
    with pytest.raises(InvalidInput), database.unit_of_work() as session:
        auth.reset_password(session, secret=SECRET, token=forged, new_password="a new password!")
    with database.unit_of_work() as session:
        session.get_one(PasswordReset, reset.id).expires_at = utcnow()
    with pytest.raises(InvalidInput), database.unit_of_work() as session:
        auth.reset_password(
            session,
            secret=SECRET,
            token=auth.reset_link_token(SECRET, reset.selector),
            new_password="a new password!",
        )


def test_reset_for_unknown_email_creates_nothing(database: Database) -> None:
    with database.unit_of_work() as session:
        auth.request_password_reset(session, email="ghost@example.com")
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(PasswordReset)) == 0
        assert session.scalar(select(func.count()).select_from(Event)) == 0


def test_api_token_is_stored_hashed_and_revocable(database: Database) -> None:
    agent = make_agent(database)
    actor = service.actor_for(agent)
    with database.unit_of_work() as session:
        token, raw = auth.create_api_token(session, actor=actor, name="sync")
    assert raw.startswith("kefu_") and token.token_hash != raw and raw not in token.token_hash
    with database.unit_of_work() as session:
        found = auth.actor_for_api_token(session, raw)
    assert found is not None and (found.kind, found.agent_id, found.role) == (
        "api_token",
        agent.id,
        "agent",
    )
    with database.unit_of_work() as session:
        auth.revoke_api_token(session, actor=actor, token_id=token.id)
    with database.unit_of_work() as session:
        assert auth.actor_for_api_token(session, raw) is None


def test_another_agent_cannot_revoke_my_token(database: Database) -> None:
    mine = service.actor_for(make_agent(database))
    theirs = service.actor_for(make_agent(database, email="b@example.com"))
    with database.unit_of_work() as session:
        token, _raw = auth.create_api_token(session, actor=mine, name="sync")
    with pytest.raises(NotFound), database.unit_of_work() as session:
        auth.revoke_api_token(session, actor=theirs, token_id=token.id)


def test_teams_and_skills(database: Database) -> None:
    admin = service.actor_for(make_admin(database))
    agent = make_agent(database)
    with database.unit_of_work() as session:
        team = service.create_team(session, actor=admin, data=TeamCreate(name="售后服务"))
        service.add_team_member(session, actor=admin, team_id=team.id, agent_id=agent.id)
        service.add_team_member(session, actor=admin, team_id=team.id, agent_id=agent.id)
        skill = service.ensure_skill(session, actor=admin, name="Refunds")
        service.set_agent_skill(session, actor=admin, agent_id=agent.id, skill_id=skill.id, level=4)
    with database.sessions() as session:
        assert service.team_ids_of(session, agent.id) == [team.id]
    with pytest.raises(InvalidInput), database.unit_of_work() as session:
        service.set_agent_skill(session, actor=admin, agent_id=agent.id, skill_id=skill.id, level=9)
