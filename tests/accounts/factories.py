"""Accounts test data, made through the services."""

from kefu.accounts import service
from kefu.accounts.models import Agent
from kefu.accounts.schemas import AgentCreate
from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.permissions import Role

PASSWORD = "correct horse battery"


def make_agent(
    database: Database,
    *,
    email: str = "agent@example.com",
    name: str = "Test Agent",
    role: Role = Role.AGENT,
    password: str = PASSWORD,
    language: str | None = None,
) -> Agent:
    with database.unit_of_work(actor=Actor.system()) as session:
        return service.create_agent(
            session,
            actor=Actor.system(),
            data=AgentCreate(
                name=name, email=email, password=password, role=role, language=language
            ),
        )


def make_admin(database: Database, *, email: str = "admin@example.com") -> Agent:
    return make_agent(database, email=email, name="Ada Admin", role=Role.ADMIN)
