"""Migrations build the schema the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from kefu.db import Base, Database, include_in_schema_compare
from kefu.migrate import pending_revisions


def test_migrated_schema_matches_the_models(database: Database) -> None:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={"compare_type": True, "include_object": include_in_schema_compare},
        )
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_nothing_is_pending_after_upgrade(database: Database) -> None:
    assert pending_revisions(database) == []


def test_empty_database_has_every_revision_pending(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from kefu.runtime import open_database

    database = open_database(f"sqlite:///{tmp_path / 'empty.db'}")
    try:
        assert pending_revisions(database)[0] == "0001"
    finally:
        database.dispose()
