"""Timing, fresh databases and the machine description shared by the benchmarks."""

import os
import platform
import shutil
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from kefu.db import Database
from kefu.migrate import upgrade
from kefu.runtime import open_database
from tests.postgres import scratch_database


@dataclass
class Figure:
    benchmark: str
    backend: str
    what: str
    value: float
    unit: str
    baseline: str = ""
    ratio: float | None = None
    p95: float | None = None  # when `value` is a median of timed runs
    target_ms: float | None = None  # the p95 the feature promises


def best_of(repeats: int, work: Callable[[], object]) -> float:
    """Median seconds of several runs: robust to a noisy neighbour on a shared machine."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


@contextmanager
def fresh_database(backend: str, workdir: Path, postgres_url: str | None) -> Iterator[Database]:
    """A migrated, empty database on the given backend, dropped afterwards."""
    if backend == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex}.db"
        database = open_database(f"sqlite:///{path}")
        upgrade(database)
        try:
            yield database
        finally:
            database.dispose()
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    assert postgres_url
    with scratch_database(postgres_url, f"kefu_bench_{uuid.uuid4().hex[:12]}") as url:
        database = open_database(url)
        upgrade(database)
        try:
            yield database
        finally:
            database.dispose()


def drop_scratch_databases(server_url: str) -> None:
    """Drop the fresh databases an interrupted run left on a kept PostgreSQL server."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        names = connection.scalars(
            text("SELECT datname FROM pg_database WHERE datname LIKE 'kefu\\_bench\\_%'")
        ).all()
        for name in names:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(meminfo.read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    disk = shutil.disk_usage("/")
    return (
        f"{cpu}, {os.cpu_count()} cores{memory}, {disk.total / 2**30:.0f} GiB disk; "
        f"{platform.system()} {platform.release()}; Python {platform.python_version()}"
    )
