"""The inbox benchmark's database: generated once per scale and kept between runs.

Generating a million tickets takes minutes, so the database is kept (a file under the bench
directory on SQLite, database `kefu_inbox_<tickets>` on PostgreSQL) with a stamp saying which
generator, seed and migrations made it. A run reuses it when the stamp matches (running newer
migrations on it, as a store's database would get them), rebuilds only the search index when
the search code changed, and regenerates everything when the generator or a migration the data
went through changed."""

import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.progress import Progress
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.inbox_data import Probes, StoreHistory
from bench.inbox_load import loader_for, search_index_deferred
from kefu.db import Database
from kefu.migrate import pending_revisions, upgrade
from kefu.runtime import open_database
from kefu.tickets.search_index import rebuild_index

BENCH = Path(__file__).resolve().parent
KEFU = BENCH.parent / "kefu"
GENERATOR = [
    BENCH / f"inbox_{name}.py" for name in ("data", "people", "tickets", "templates", "words")
]
SEARCH_CODE = [
    KEFU / "tickets" / "search.py",
    KEFU / "tickets" / "search_index.py",
    KEFU / "kit" / "search_text.py",
]
MIGRATIONS = KEFU / "migrations" / "versions"
SEED = 20261123


def _digest(paths: list[Path]) -> str:
    sha = hashlib.sha256()
    for path in paths:
        if path.exists():
            sha.update(path.read_bytes())
    return sha.hexdigest()[:16]


def _migrations() -> dict[str, str]:
    return {path.name: _digest([path]) for path in sorted(MIGRATIONS.glob("*.py"))}


@dataclass
class Stamp:
    tickets: int
    seed: int
    generator: str
    migrations: dict[str, str] = field(default_factory=dict)  # file -> digest, as applied
    search: str = ""
    probes: dict[str, Any] = field(default_factory=dict)
    generate_seconds: float = 0.0
    index_seconds: float = 0.0


@dataclass
class Dataset:
    database: Database
    where: str
    stamp: Stamp
    reused: bool

    @property
    def probes(self) -> Probes:
        return Probes(**self.stamp.probes)


def _read_stamp(database: Database) -> Stamp | None:
    with database.engine.connect() as connection:
        try:
            raw = connection.scalar(text("SELECT stamp FROM bench_dataset"))
        except Exception:  # no table: not a complete benchmark database
            return None
    return Stamp(**json.loads(raw)) if raw else None


def _write_stamp(database: Database, stamp: Stamp) -> None:
    with database.engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS bench_dataset (stamp TEXT)"))
        connection.execute(text("DELETE FROM bench_dataset"))
        connection.execute(
            text("INSERT INTO bench_dataset (stamp) VALUES (:s)"), {"s": json.dumps(asdict(stamp))}
        )


def _url(backend: str, bench_dir: Path, postgres_url: str | None, name: str) -> str:
    if backend == "sqlite":
        bench_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{bench_dir / f'{name}.db'}"
    assert postgres_url
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(postgres_url).set(database=name).render_as_string(hide_password=False)


def _reset(backend: str, url: str, postgres_url: str | None) -> None:
    """An empty database at the same place."""
    if backend == "sqlite":
        path = make_url(url).database or ""
        for suffix in ("", "-wal", "-shm", "-writers"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = make_url(url).database
    admin = create_engine(postgres_url or "", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


@contextmanager
def inbox_database(
    backend: str,
    *,
    tickets: int,
    bench_dir: Path,
    postgres_url: str | None,
    progress: Progress,
    keep: bool = True,
    name: str | None = None,
) -> Iterator[Dataset]:
    """The benchmark database for `tickets` tickets, generated and indexed if needed;
    dropped afterwards unless `keep`."""
    url = _url(backend, bench_dir, postgres_url, name or f"kefu_inbox_{tickets}")
    database = open_database(url)
    migrations = _migrations()
    wanted = Stamp(tickets=tickets, seed=SEED, generator=_digest(GENERATOR), migrations=migrations)
    stamp = _read_stamp(database)
    # Kept data is reused when the same generator made it and every migration it went through
    # is unchanged (a new migration runs on it; an edited one means a different schema).
    reused = (
        stamp is not None
        and (stamp.tickets, stamp.seed, stamp.generator)
        == (wanted.tickets, wanted.seed, wanted.generator)
        and all(migrations.get(name) == digest for name, digest in stamp.migrations.items())
        and bool(stamp.migrations)
    )
    try:
        if not reused or stamp is None:
            database.dispose()
            _reset(backend, url, postgres_url)
            database = open_database(url)
            upgrade(database)
            stamp = generate(database, wanted, backend=backend, progress=progress)
            _write_stamp(database, stamp)
        elif pending_revisions(database):
            # Newer migrations run on the kept data, as they would on a store's database.
            task = progress.add_task(f"inbox ({backend}): migrating", total=None)
            upgrade(database)
            _analyze(database)
            stamp.migrations = migrations
            _write_stamp(database, stamp)
            progress.update(task, total=1, completed=1)
        search = _digest(SEARCH_CODE)
        if stamp.search != search:
            stamp.index_seconds = build_search_index(database, backend, progress)
            stamp.search = search
            _write_stamp(database, stamp)
        where = url if backend == "sqlite" else f"PostgreSQL database {make_url(url).database}"
        yield Dataset(database, where, stamp, reused)
    finally:
        database.dispose()
        if not keep:
            _drop(backend, url, postgres_url)


def _drop(backend: str, url: str, postgres_url: str | None) -> None:
    if backend == "sqlite":
        _reset(backend, url, postgres_url)
        return
    admin = create_engine(postgres_url or "", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def generate(database: Database, stamp: Stamp, *, backend: str, progress: Progress) -> Stamp:
    """Write the store history into the migrated, empty database."""
    started = time.perf_counter()
    history = StoreHistory(stamp.tickets, seed=stamp.seed)
    task = progress.add_task(f"inbox data ({backend}): planning", total=stamp.tickets)
    with loader_for(database) as loader:
        for phase, batch, done in history.batches():
            progress.update(task, description=f"inbox data ({backend}): {phase}")
            loader.write(batch)
            progress.advance(task, done)
        indexes = progress.add_task(f"inbox indexes ({backend})", total=len(loader.indexes))

        def next_index(sql: str) -> None:
            name = sql.split(" ON ")[0].split()[-1] if " ON " in sql else sql.split()[5]
            progress.update(indexes, description=f"inbox indexes ({backend}): {name}")
            progress.advance(indexes)

        loader.finish(next_index)
    _analyze(database)
    stamp.probes = asdict(history.probes)
    stamp.generate_seconds = round(time.perf_counter() - started, 1)
    return stamp


def build_search_index(database: Database, backend: str, progress: Progress) -> float:
    """Index every ticket with the product's own indexer, then refresh planner statistics."""
    started = time.perf_counter()
    task = progress.add_task(f"search index ({backend})", total=None)

    def advance(done: int, total: int | None = None) -> None:
        progress.update(task, completed=done, total=total)

    with search_index_deferred(database):
        rebuild_index(database, progress=advance)
        progress.update(task, description=f"search index ({backend}): building the index")
    _analyze(database)
    return round(time.perf_counter() - started, 1)


def _analyze(database: Database) -> None:
    if database.backend == "postgresql":
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM (ANALYZE)"))
        return
    with database.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
        connection.execute(text("PRAGMA optimize"))
