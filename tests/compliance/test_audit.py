"""The audit log: written with the change, by whoever acted, with fields before and after."""

import pytest
from sqlalchemy import select

from kefu.accounts import service
from kefu.accounts.schemas import AgentCreate, AgentUpdate, TeamCreate
from kefu.compliance.audit import REDACTED
from kefu.compliance.models import AuditEntry
from kefu.compliance.service import AuditFilter, list_entries
from kefu.db import Database
from kefu.errors import PermissionDenied
from kefu.kit.actor import Actor
from tests.accounts.factories import PASSWORD, make_admin, make_agent


def entries(database: Database, action: str) -> list[AuditEntry]:
    with database.sessions() as session:
        return list(
            session.scalars(
                select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
            )
        )


def test_update_records_actor_and_before_after(database: Database) -> None:
    # given
    admin = make_admin(database)
    agent = make_agent(database, name="Wang Fang")
    actor = service.actor_for(admin)
    # when
    with database.unit_of_work(actor=actor) as session:
        service.update_agent(
            session, actor=actor, agent_id=agent.id, data=AgentUpdate(name="王芳", role="manager")
        )
    # then
    [entry] = entries(database, "agents.updated")
    assert (entry.actor_kind, entry.actor_ref, entry.actor_name) == (
        "agent",
        f"agent:{admin.id}",
        "Ada Admin",
    )
    assert (entry.entity_type, entry.entity_id) == ("agents", str(agent.id))
    assert entry.changes["name"] == ["Wang Fang", "王芳"]
    assert entry.changes["role"] == ["agent", "manager"]
    assert set(entry.changes) == {"name", "role"}


def test_a_field_set_to_its_own_value_is_no_change(database: Database) -> None:
    # given an agent whose name is set to what it is, and whose role changes in another flush
    agent = make_agent(database, name="Wang Fang")
    with database.unit_of_work() as session:
        row = session.get(type(agent), agent.id)
        assert row is not None
        row.name = "Wang Fang"
        session.flush()
        row.name, row.role = "Wang Fang", "manager"
    # then the first flush logged nothing, the second only the role
    [entry] = entries(database, "agents.updated")
    assert entry.changes == {"role": ["agent", "manager"]}


def test_creation_is_logged_with_the_password_redacted(database: Database) -> None:
    agent = make_agent(database, email="new@example.com")
    created = [e for e in entries(database, "agents.created") if e.entity_id == str(agent.id)]
    assert len(created) == 1
    changes = created[0].changes
    assert changes["email"] == [None, "new@example.com"]
    assert changes["password_hash"] == [None, REDACTED]
    assert PASSWORD not in str(changes) and "argon2" not in str(changes)
    assert created[0].actor_kind == "system"


def test_rolled_back_change_leaves_no_audit_entry(database: Database) -> None:
    admin = make_admin(database)
    with pytest.raises(RuntimeError), database.unit_of_work(actor=service.actor_for(admin)) as s:
        service.create_agent(
            s,
            actor=service.actor_for(admin),
            data=AgentCreate(name="Ghost", email="ghost@example.com", password=PASSWORD),
        )
        raise RuntimeError("crash before commit")
    assert [e.entity_id for e in entries(database, "agents.created")] == [str(admin.id)]


def test_only_admins_read_the_audit_log(database: Database) -> None:
    admin = service.actor_for(make_admin(database))
    agent = service.actor_for(make_agent(database))
    with database.sessions() as session:
        page = list_entries(session, actor=admin, filters=AuditFilter(entity_type="agents"))
        assert [e.action for e in page.items] == ["agents.created", "agents.created"]
        with pytest.raises(PermissionDenied):
            list_entries(session, actor=agent, filters=AuditFilter())


def test_audit_pages_by_cursor(database: Database) -> None:
    admin = make_admin(database)
    for n in range(5):
        make_agent(database, email=f"a{n}@example.com")
    actor = service.actor_for(admin)
    seen: list[int] = []
    cursor = None
    with database.sessions() as session:
        while True:
            page = list_entries(
                session, actor=actor, filters=AuditFilter(), before_id=cursor, limit=2
            )
            seen += [e.id for e in page.items]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == 6


def test_job_actor_is_recorded(database: Database) -> None:
    with database.unit_of_work(actor=Actor.job("accounts.import")) as session:
        service.create_team(
            session, actor=Actor.job("accounts.import"), data=TeamCreate(name="Logistics")
        )
    [entry] = entries(database, "teams.created")
    assert (entry.actor_kind, entry.actor_ref) == ("job", "job:accounts.import")
