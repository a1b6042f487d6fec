"""The `kefu` command: serve, worker, demo, db, admin, search, email, analytics rebuild."""

import getpass
import logging
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from kefu.ai.cli import ai_app
from kefu.analytics.cli import analytics_app
from kefu.channels.email.cli import email_app
from kefu.commerce.cli import commerce_app
from kefu.config import Settings, ensure_data_dir, load_settings
from kefu.db import Database
from kefu.errors import ConfigError, KefuError, describe_validation
from kefu.tickets.cli import search_app
from kefu.workforce.cli import workforce_app

app = typer.Typer(
    help="kefu (客服): customer service for online stores.",
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
admin_app = typer.Typer(help="Administrators.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(admin_app, name="admin")
events_app = typer.Typer(help="The event outbox: failed handler runs.", no_args_is_help=True)
app.add_typer(events_app, name="events")
app.add_typer(search_app, name="search")
app.add_typer(email_app, name="email")
app.add_typer(commerce_app, name="commerce")
app.add_typer(workforce_app, name="workforce")
app.add_typer(analytics_app, name="analytics")
app.add_typer(ai_app, name="ai")

err = Console(stderr=True, highlight=False)
out = Console(highlight=False)

# Event streams end on their own at shutdown (kefu.app.Server); this bounds anything else.
SHUTDOWN_GRACE_SECONDS = 10


def fail(message: str, code: int = 2) -> None:
    err.print(f"[bold red]kefu:[/] {message}", markup=True, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def clear_errors() -> Iterator[None]:
    """Expected failures become one line and an exit code, never a traceback."""
    try:
        yield
    except ConfigError as exc:
        fail(str(exc), 2)
    except KefuError as exc:
        fail(exc.message, 1)
    except (OperationalError, DBAPIError) as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        fail(f"database error: {reason}", 3)


def settings_from(**overrides: Any) -> Settings:
    settings = load_settings(**{k: v for k, v in overrides.items() if v is not None})
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("alembic").setLevel(logging.WARNING)  # we say what we migrate ourselves
    if settings.log_level != "debug":
        logging.getLogger("huey").setLevel(logging.WARNING)  # not a line per job run
    return settings


def connect(settings: Settings) -> Database:
    """Open the configured database and prove it answers, or raise ConfigError in one line."""
    from kefu.runtime import open_database

    if settings.is_sqlite:
        ensure_data_dir(settings)
    try:
        database = open_database(settings.database_url)
        with database.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except (OperationalError, DBAPIError) as exc:
        where = make_url(settings.database_url).render_as_string(hide_password=True)
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise ConfigError(f"cannot reach the database {where}: {reason}") from None
    except Exception as exc:  # a URL SQLAlchemy cannot even parse, a missing driver
        raise ConfigError(f"bad KEFU_DATABASE_URL: {exc}") from None
    return database


def prepare_schema(settings: Settings, database: Database, *, apply: bool) -> None:
    from kefu.migrate import pending_revisions, upgrade

    pending = pending_revisions(database)
    if pending:
        if not apply:
            raise ConfigError(
                f"the database needs {len(pending)} migration(s): run `kefu db upgrade`"
            )
        out.print(f"Applying {len(pending)} database migration(s)…")
        upgrade(database)
    seed_reference_data(database)


@contextmanager
def opened_database(*, migrate: bool = True) -> Iterator[tuple[Settings, Database]]:
    """What a command that works on the database starts with: the settings, the database
    connected and its schema current (`migrate`: SQLite applies pending migrations itself;
    otherwise they stop the command with `kefu db upgrade` to run), errors as one line and
    an exit code; disposed afterwards."""
    with clear_errors():
        settings = settings_from()
        database = connect(settings)
        try:
            prepare_schema(settings, database, apply=migrate and settings.is_sqlite)
            yield settings, database
        finally:
            database.dispose()


def seed_reference_data(database: Database) -> None:
    """Rows every kefu needs that an admin may edit later (idempotent: adds what is missing)."""
    from kefu.commerce.carriers import ensure_default_carriers
    from kefu.kit.actor import Actor

    with database.unit_of_work(actor=Actor(kind="system", name="kefu start-up")) as session:
        ensure_default_carriers(session)


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
    )


def step_reporter(progress: Progress, prefix: str) -> Callable[[str, int, int], None]:
    """A `report(what, done, total)` callback for work in named steps: one bar per step,
    labelled "prefix: what"."""
    tasks: dict[str, TaskID] = {}

    def report(what: str, done: int, total: int) -> None:
        if what not in tasks:
            tasks[what] = progress.add_task(f"{prefix}: {what}", total=total)
        progress.update(tasks[what], completed=done)

    return report


def rebuild_with_progress(label: str, rebuild: Any, *, batch_size: int) -> int:
    """A batched rebuild command (search index, metrics): connect, check the schema, run
    `rebuild(database, batch_size=, progress=)` under a progress bar; returns its count."""
    with opened_database(migrate=False) as (_settings, database), progress_bar() as progress:
        task = progress.add_task(label, total=None)
        return int(
            rebuild(
                database,
                batch_size=batch_size,
                progress=lambda count, total: progress.update(task, completed=count, total=total),
            )
        )


def fill_demo(database: Database, *, scale: int) -> None:
    from kefu import demo

    with progress_bar() as progress:
        for step in demo.steps():
            task = progress.add_task(f"demo: {step.name}", total=step.size(scale))
            step.run(database, scale, partial(progress.advance, task))


def ensure_port_free(host: str, port: int) -> None:
    try:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (KEFU_HOST).")] = None,
    port: Annotated[str | None, typer.Option(help="Port (KEFU_PORT), 1-65535.")] = None,
    demo: Annotated[bool, typer.Option(help="Fill demo data first if kefu is empty.")] = False,
) -> None:
    """Start kefu: web UI, API and (by default) the background worker, in one process."""
    import uvicorn

    from kefu.app import Server, create_app

    with clear_errors():
        settings = settings_from(host=host, port=port)
        ensure_port_free(settings.host, settings.port)
        database = connect(settings)
        prepare_schema(settings, database, apply=settings.is_sqlite)
        if demo:
            from kefu.demo import DEMO_ADMIN_EMAIL, DEMO_PASSWORD, has_data

            if not has_data(database):
                fill_demo(database, scale=1)
            out.print(f"Demo sign-in: [bold]{DEMO_ADMIN_EMAIL}[/] / [bold]{DEMO_PASSWORD}[/]")
        database.dispose()
    out.print(f"kefu is starting at [bold]http://{settings.host}:{settings.port}[/]")
    config = uvicorn.Config(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        proxy_headers=True,
        timeout_graceful_shutdown=SHUTDOWN_GRACE_SECONDS,
    )
    server = Server(config)
    server.run()
    if not server.started:
        raise typer.Exit(3)  # uvicorn.run's exit code when start-up fails


@app.command()
def worker(
    threads: Annotated[int | None, typer.Option(help="Worker threads.")] = None,
) -> None:
    """Run background jobs in their own process (set KEFU_WORKER_IN_PROCESS=false on web)."""
    from kefu.jobs import start_consumer
    from kefu.runtime import start

    with clear_errors():
        settings = settings_from(worker_threads=threads)
        database = connect(settings)
        prepare_schema(settings, database, apply=False)
        runtime = start(settings, database=database)
    consumer = start_consumer(runtime.queue, workers=settings.worker_threads, in_process=False)
    consumer.run()


@app.command("demo")
def demo_command(
    scale: Annotated[int, typer.Option(min=1, max=100000, help="Size multiplier.")] = 1,
) -> None:
    """Fill kefu with realistic demo data (English and Chinese) through the app's services."""
    from kefu.demo import DEMO_ADMIN_EMAIL, DEMO_PASSWORD, has_data

    with opened_database() as (_settings, database):
        if has_data(database):
            fail("kefu already has data; the demo fills an empty instance only", 1)
        fill_demo(database, scale=scale)
    out.print(f"Demo ready. Sign in as [bold]{DEMO_ADMIN_EMAIL}[/] / [bold]{DEMO_PASSWORD}[/]")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations (PostgreSQL needs this before `kefu serve`)."""
    from kefu.migrate import pending_revisions

    with clear_errors():
        settings = settings_from()
        database = connect(settings)
        count = len(pending_revisions(database))
        prepare_schema(settings, database, apply=True)
    out.print("Database is up to date." if count == 0 else f"Applied {count} migration(s).")


@admin_app.command("create")
def admin_create(
    email: Annotated[str, typer.Option(prompt=True)],
    name: Annotated[str, typer.Option(prompt=True)],
    password: Annotated[str | None, typer.Option(help="Prompted for when omitted.")] = None,
) -> None:
    """Create an administrator (the first one, or another one when kefu is locked out)."""
    from kefu.accounts import service
    from kefu.accounts.schemas import AgentCreate
    from kefu.kit.actor import Actor
    from kefu.permissions import Role

    with clear_errors():
        settings = settings_from()
        database = connect(settings)
        prepare_schema(settings, database, apply=settings.is_sqlite)
        if password is None:
            password = getpass.getpass("Password (10+ characters): ")
        try:
            data = AgentCreate(name=name, email=email, password=password, role=Role.ADMIN)
        except ValidationError as exc:
            fail(describe_validation(exc.errors()), 1)
        with database.unit_of_work(actor=Actor(kind="system", name="kefu admin create")) as s:
            service.create_agent(s, actor=Actor.system(), data=data)
    out.print(f"Administrator {email} created.")


@events_app.command("failed")
def events_failed(
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 50,
) -> None:
    """List event deliveries that failed every attempt (newest first)."""
    from rich.table import Table

    from kefu.dispatch_ops import failed_deliveries

    with clear_errors():
        database = connect(settings_from())
        rows = failed_deliveries(database, limit=limit)
    if not rows:
        out.print("No failed event deliveries.")
        return
    table = Table("delivery", "event", "handler", "attempts", "last error")
    for row in rows:
        table.add_row(
            str(row.id),
            f"{row.event_id} {row.event_type}",
            row.handler,
            str(row.attempts),
            (row.last_error or "")[:120],
        )
    out.print(table)


@events_app.command("retry")
def events_retry(
    delivery_ids: Annotated[
        list[int], typer.Argument(help="Delivery ids from `kefu events failed`.")
    ],
) -> None:
    """Put failed deliveries back in line, after the cause was fixed."""
    from kefu.dispatch_ops import retry_failed

    with clear_errors():
        database = connect(settings_from())
        count = retry_failed(database, delivery_ids=delivery_ids)
    if count != len(set(delivery_ids)):
        fail(f"{count} of {len(set(delivery_ids))} deliveries were failed and are queued again", 1)
    out.print(f"{count} deliveries queued again; the worker runs them within a minute.")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
