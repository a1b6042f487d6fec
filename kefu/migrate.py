"""Alembic migrations run from code: `kefu db upgrade`, `kefu serve` and the tests."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from kefu.db import Database
from kefu.errors import ConfigError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def pending_revisions(database: Database) -> list[str]:
    """Revisions not yet applied, oldest first (empty when the schema is current)."""
    script = ScriptDirectory.from_config(alembic_config())
    with database.engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    lower = current[0] if current else "base"
    try:
        revisions = list(script.iterate_revisions("heads", lower))
    except CommandError as exc:
        raise ConfigError(f"the database schema ({lower}) is unknown to this kefu: {exc}") from None
    return [revision.revision for revision in reversed(revisions)]


def upgrade(database: Database, revision: str = "head") -> None:
    config = alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
