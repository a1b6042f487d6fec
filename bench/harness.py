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
            for suffix in ("", "-wal", "-shm", "-writers"):
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


REPORT = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
# Sections of docs/benchmarks.md that their own modules write (bench.run keeps them).
OWN_SECTIONS = (
    "## Email ingest",
    "## Reply stripping",
    "## Help center",
    "## Workforce staffing",
    "## Workforce roster",
    "## Analytics",
    "## Offline AI",
    "## Phone webhooks",
    "## AI reading",
    "## AI trends",
    "## Help-center assistant",
    "## Live chat widget",
    "## Suggested replies",
)


def _sections(text: str) -> dict[str, str]:
    """The report's "## " sections by heading (the part before the first one under "")."""
    found: dict[str, str] = {}
    heading = ""
    for line in text.splitlines(keepends=True):
        if line.startswith("## "):
            heading = line.rstrip("\n")
        found[heading] = found.get(heading, "") + line
    return {heading: text.rstrip("\n") + "\n\n" for heading, text in found.items()}


def write_section(heading: str, lines: list[str]) -> None:
    """Replace (or append) one "## " section of docs/benchmarks.md, leaving the rest."""
    old = REPORT.read_text(encoding="utf-8") if REPORT.exists() else "# Benchmarks\n"
    sections = _sections(old)
    sections[heading] = "\n".join(lines).rstrip("\n") + "\n\n"
    REPORT.write_text("".join(sections.values()).rstrip("\n") + "\n", encoding="utf-8")


def kept_sections() -> str:
    """The sections other benchmark modules wrote, for bench.run to put back."""
    old = REPORT.read_text(encoding="utf-8") if REPORT.exists() else ""
    sections = _sections(old)
    return "".join(sections[h] for h in OWN_SECTIONS if h in sections)


def percentiles(samples: list[float]) -> tuple[float, float]:
    """(p50, p95) of samples in seconds, as milliseconds."""
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered) * 1000, p95 * 1000


def timed_calls(count: int, work: Callable[[int], object]) -> list[float]:
    """Seconds each of `work(0)` … `work(count - 1)` took."""
    samples = []
    for index in range(count):
        begin = time.perf_counter()
        work(index)
        samples.append(time.perf_counter() - begin)
    return samples
