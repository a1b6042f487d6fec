"""Alembic environment: kefu hands over an open connection (see kefu.migrate)."""

from alembic import context
from sqlalchemy import create_engine

from kefu.db import Base, include_in_schema_compare
from kefu.domains import load_domains

load_domains()
target_metadata = Base.metadata


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        # `alembic revision --autogenerate` from a developer shell
        url = context.config.get_main_option("sqlalchemy.url") or "sqlite:///data/kefu.db"
        with create_engine(url).connect() as connection:
            _migrate(connection)
            connection.commit()
        return
    _migrate(connection)


def _migrate(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite can only ALTER by copying the table
        compare_type=True,
        include_object=include_in_schema_compare,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
