"""`python -m bench.email_ingest --profile` and `--count`: where one SQLite import's time
goes (cProfile, and each event handler's seconds), and its CPU seconds and SQL statements,
which unlike wall time hardly depend on the machine's load."""

from __future__ import annotations

import cProfile
import mailbox
import os
import pstats
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from sqlalchemy import event as sqlalchemy_event

from bench.email_corpus import generate
from bench.email_ingest import from_mbox, handlers
from bench.email_setup import configure
from bench.harness import fresh_database
from kefu.config import Settings
from kefu.domains import load_domains
from kefu.events import registry
from kefu.kit.filestore import FileStore


def _mbox(path: Path, messages: int) -> Path:
    """The bench corpus's first `messages` mails written to an mbox at `path`."""
    box = mailbox.mbox(path)
    for raw in generate(messages, seed=2026):
        box.add(raw)
    box.close()
    return path


def profile(count: int, work: Path, configuration: str) -> None:
    path = _mbox(work / "profile.mbox", count)
    spent = time_handlers()
    with fresh_database("sqlite", work, None) as database:
        configure(database, configuration)
        files = FileStore(work / "files")
        settings = Settings(data_dir=work, database_url="sqlite://")
        profiler = cProfile.Profile()
        profiler.enable()
        from_mbox(database, files, settings, path)
        handlers(database)
        profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(45)
    stats.sort_stats("tottime").print_stats(25)
    print("seconds per event handler (under the profiler):")
    for name, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"  {name:45} {seconds:8.2f}")


def count(messages: int, work: Path, configuration: str) -> None:
    """CPU seconds and SQL statements of one SQLite import and of its handlers: unlike wall
    time they hardly depend on the machine's load, so before/after compare within one run."""
    path = _mbox(work / "count.mbox", messages)
    spent = time_handlers(clock=time.process_time)
    with fresh_database("sqlite", work, None) as database:
        configure(database, configuration)
        statements = [0]

        def counted(*_: object) -> None:
            statements[0] += 1

        sqlalchemy_event.listen(database.engine, "before_cursor_execute", counted)
        files = FileStore(work / "files")
        # in place: a worker's CPU would not be counted
        settings = Settings(data_dir=work, database_url="sqlite://", ingest_workers=0)
        start = time.process_time()
        ingest_wall = from_mbox(database, files, settings, path)
        ingest_cpu, ingest_statements = time.process_time() - start, statements[0]
        start = time.process_time()
        handler_wall = handlers(database)
        handler_cpu = time.process_time() - start
        handler_statements = statements[0] - ingest_statements
    print(f"{messages} messages, {configuration} configuration, load {os.getloadavg()[0]:.1f}")
    for what, cpu, count, wall in (
        ("ingest", ingest_cpu, ingest_statements, ingest_wall),
        ("handlers", handler_cpu, handler_statements, handler_wall),
    ):
        print(f"  {what:9} {cpu:7.2f} CPU-s {count:8,} statements {wall:7.2f} s")
    for name, seconds in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"    {name:43} {seconds:7.2f} CPU-s")


def time_handlers(clock: Callable[[], float] = time.perf_counter) -> dict[str, float]:
    """Wrap every registered handler in a timer; returns the seconds by handler name."""
    load_domains()
    spent: dict[str, float] = {}
    for name in registry.names():
        spec = registry.get(name)
        assert spec is not None

        def timed(
            session: object, events: object, fn: object = spec.fn, name: str = name, **kw: object
        ) -> None:
            start = clock()
            try:
                fn(session, events, **kw)  # type: ignore[operator]
            finally:
                spent[name] = spent.get(name, 0.0) + clock() - start

        registry.replace(replace(spec, fn=timed))
    return spent
