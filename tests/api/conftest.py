"""API test fixtures: tokens of an admin, an agent and a light agent."""

import pytest

from kefu.config import Settings
from kefu.db import Database
from kefu.permissions import Role
from tests.api.helpers import headers_for


@pytest.fixture
def admin(database: Database) -> dict[str, str]:
    return headers_for(database, Role.ADMIN)


@pytest.fixture
def agent(database: Database) -> dict[str, str]:
    return headers_for(database, Role.AGENT)


@pytest.fixture
def light(database: Database) -> dict[str, str]:
    return headers_for(database, Role.LIGHT_AGENT)


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """A small attachment limit, so the size refusals need no 25 MB bodies."""
    return settings.model_copy(update={"max_attachment_bytes": 50_000})
