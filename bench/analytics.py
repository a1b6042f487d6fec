"""Analytics benchmark: every dashboard query at `--tickets` tickets (about five events
each) on SQLite and PostgreSQL, side by side with a naive query over tickets and events
answering the same question in the same run.

python -m bench.analytics [--tickets 1000000] [--runs 5] [--only sqlite|postgresql]
    [--cache DIR] [--workers 2] [--together]
Writes the "## Analytics" section of docs/benchmarks.md (unless --only or --no-write). The
rows are made once by `--workers` processes (bench/analytics_data.py; kept in --cache for
the next run) and written in bulk (bench/analytics_load.py); --together loads both
databases at once and times them in turn; `--rebuild` also times `kefu analytics rebuild`
over the data (slow at a million tickets)."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.progress import Progress

from bench import analytics_naive as naive
from bench import analytics_pages as pages
from bench.analytics_data import END, build
from bench.analytics_load import load
from bench.harness import REPORT, fresh_database, machine, write_section
from kefu.analytics import queries, service
from kefu.analytics.filters import ReportFilter
from kefu.db import Database
from kefu.domains import load_domains
from kefu.kit.actor import Actor

HEADING = "## Analytics"
TARGET_MS = 500
PAGE_HEADER = [
    "Full page loads: a signed-in manager's GET of each dashboard through the app "
    "(bench/analytics_pages.py: session, every query of the page — the previous period, "
    "labels, filter choices — and the HTML), last 30 days unless said; the naive column "
    "runs the naive queries answering the same page's figures.",
    "",
    "| database | page | p50 | worst | naive p50 | naive ÷ ours |",
    "|---|---|---:|---:|---:|---:|",
]
SERIES = ["created", "solved", "frt_median", "resolution_mean", "csat_pct"]


@dataclass
class Row:
    backend: str
    what: str
    p50_ms: float
    max_ms: float
    naive_ms: float | None


def timed(runs: int, work: Callable[[], object]) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        begin = time.perf_counter()
        work()
        samples.append(time.perf_counter() - begin)
    return statistics.median(samples) * 1000, max(samples) * 1000


def dashboards(database: Database) -> list[tuple[str, Callable, Callable]]:  # type: ignore[type-arg]
    last = (END - timedelta(days=1)).date()
    month = ReportFilter(since=last - timedelta(days=29), until=last)
    quarter = replace(month, since=last - timedelta(days=89))
    start, end = month.bounds()
    p_start, p_end = month.previous_period().bounds()
    q_start, _q_end = quarter.bounds()
    year = last - timedelta(days=364)
    with database.sessions() as session:
        agent = int(queries.breakdown(session, flt=month, by="agent")[0].key)
        team = int(queries.breakdown(session, flt=month, by="team")[0].key)
    pair = replace(quarter, team_id=team, channel="email")

    def ours(fn: Callable) -> Callable[[], object]:  # type: ignore[type-arg]
        def run() -> object:
            with database.sessions() as session:
                return fn(session)

        return run

    return [
        (
            "overview + previous period (30 days)",
            ours(lambda s: (queries.overview(s, flt=month),
                            queries.overview(s, flt=month.previous_period()))),
            ours(lambda s: (naive.overview(s, start, end), naive.overview(s, p_start, p_end))),
        ),
        (
            "series: 5 metrics per day (90 days)",
            ours(lambda s: queries.series(s, flt=quarter, metrics=SERIES)),
            ours(lambda s: naive.series(s, q_start, end)),
        ),
        (
            "agent leaderboard (30 days)",
            ours(lambda s: queries.breakdown(s, flt=month, by="agent")),
            ours(lambda s: naive.leaderboard(s, start, end)),
        ),
        (
            "by channel (30 days)",
            ours(lambda s: queries.breakdown(s, flt=month, by="channel")),
            ours(lambda s: naive.by_column(s, start, end, "channel")),
        ),
        (
            "by tag (30 days)",
            ours(lambda s: queries.breakdown(s, flt=month, by="tag")),
            ours(lambda s: naive.by_tag(s, start, end)),
        ),
        (
            "heat map (30 days)",
            ours(lambda s: queries.heatmap(s, flt=month)),
            ours(lambda s: naive.heatmap(s, start, end)),
        ),
        (
            "commerce figures (30 days)",
            ours(lambda s: queries.commerce_figures(s, flt=month)),
            ours(lambda s: naive.commerce(s, start, end)),
        ),
        (
            "drill-down, first page (an agent, 30 days)",
            ours(lambda s: queries.drilldown(s, flt=month, metric="created", by="agent",
                                             key=str(agent))),
            ours(lambda s: naive.drilldown(s, start, end, agent)),
        ),
        (
            "overview, two filters: team + channel (exact path)",
            ours(lambda s: queries.overview(s, flt=replace(month, team_id=team, channel="email"))),
            None,
        ),
        (
            "series: 5 metrics per day, team + channel (exact path, 90 days)",
            ours(lambda s: queries.series(s, flt=replace(quarter, team_id=team, channel="email"),
                                          metrics=SERIES)),
            None,
        ),
        (
            "overview page's readings in one pass: period, previous period and weekly chart, "
            "team + channel (exact path, 90 days)",
            ours(lambda s: queries.overview_with_trend(s, flt=pair, prev=pair.previous_period(),
                                                       grain="week")),
            None,
        ),
        (
            "agent leaderboard, channel = email (exact path, 30 days)",
            ours(lambda s: queries.breakdown(s, flt=replace(month, channel="email"), by="agent")),
            None,
        ),
        (
            "overview, one year",
            ours(lambda s: queries.overview(s, flt=replace(month, since=year))),
            None,
        ),
    ]  # fmt: skip


def page_timings(backend: str, database: Database, runs: int) -> list[Row]:
    """Each dashboard page through the app (bench/analytics_pages.py) beside its naive
    queries."""
    with database.sessions() as session:
        month = ReportFilter(since=(END - timedelta(days=30)).date(), until=END.date())
        team = int(queries.breakdown(session, flt=month, by="team")[0].key)
        agent = int(queries.breakdown(session, flt=month, by="agent")[0].key)
    rows = []
    with tempfile.TemporaryDirectory(dir=os.environ.get("KEFU_BENCH_DIR")) as workdir:
        browser = pages.Browser(database, Path(workdir))
        try:
            for what, path, baseline in pages.pages(team, agent):
                browser.get(path)  # warm
                p50, worst = timed(runs, lambda path=path: browser.get(path))
                naive_ms = None
                if baseline is not None:
                    run = lambda baseline=baseline: _in_session(database, baseline)  # noqa: E731
                    run()
                    naive_ms = timed(max(1, runs // 2), run)[0]
                rows.append(Row(backend, f"page: {what}", p50, worst, naive_ms))
                shown = naive_ms and round(naive_ms)
                print(f"{backend}: page {what}: {p50:.1f} ms (naive {shown} ms)", flush=True)
        finally:
            browser.close()
    return rows


def _in_session(database: Database, work: Callable) -> object:  # type: ignore[type-arg]
    with database.sessions() as session:
        return work(session)


def handler_cost(database: Database, tickets: int) -> float:
    """Milliseconds per ticket for the handler to recompute 200 tickets from their events
    (what a dispatch batch of new mail costs it)."""
    ids = list(range(max(1, tickets - 200), tickets + 1))
    with database.unit_of_work(actor=Actor.system()) as session:
        begin = time.perf_counter()
        service.refresh(session, ids)  # nothing changed: read, compute, compare
        session.rollback()
    return (time.perf_counter() - begin) * 1000 / len(ids)


def measure(
    backend: str, database: Database, cache: Path, options: argparse.Namespace, turn: Any
) -> tuple[list[Row], dict[str, float]]:
    """Load the rows, then time every dashboard query and its naive twin; `turn` (with
    --together: a barrier and a lock) waits until every backend has loaded and lets one
    time at a time, so the timings never share the machine with this run's other work."""
    facts: dict[str, float] = {}
    tickets, runs = options.tickets, options.runs
    with Progress(disable=turn is not None) as progress:
        task = progress.add_task(f"{backend}: writing {tickets:,} tickets", total=tickets)
        begin = time.perf_counter()
        counts = load(database, cache, progress=lambda n: progress.advance(task, n))
        facts["generate_s"] = time.perf_counter() - begin
    print(f"{backend}: loaded in {facts['generate_s']:.0f} s", flush=True)
    facts.update({k: float(v) for k, v in counts.items()})
    if turn is not None:
        turn[0].wait()
    with turn[1] if turn is not None else nullcontext():
        return _timings(backend, database, facts, tickets, runs, options.rebuild), facts


def _timings(
    backend: str,
    database: Database,
    facts: dict[str, float],
    tickets: int,
    runs: int,
    rebuild: bool,
) -> list[Row]:
    rows = []
    for what, ours, baseline in dashboards(database):
        ours()  # warm the caches both sides get
        p50, worst = timed(runs, ours)
        naive_ms = None
        if baseline is not None:
            baseline()
            naive_ms = timed(max(1, runs // 2), baseline)[0]
        rows.append(Row(backend, what, p50, worst, naive_ms))
        print(f"{backend}: {what}: {p50:.1f} ms (naive {naive_ms and round(naive_ms)} ms)")
    rows += page_timings(backend, database, runs)
    facts["handler_ms_per_ticket"] = handler_cost(database, tickets)
    if rebuild:
        begin = time.perf_counter()
        service.rebuild(database)
        facts["rebuild_s"] = time.perf_counter() - begin
    return rows


def section(
    rows: list[Row], facts: dict[str, dict[str, float]], tickets: int, runs: int
) -> list[str]:
    first = next(iter(facts.values()))
    lines = [
        HEADING,
        "",
        f"Written by `python -m bench.analytics --tickets {tickets}` on "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {machine()}, load average "
        f"{os.getloadavg()[0]:.1f} (the machine is shared). {int(first['tickets']):,} tickets "
        f"over a year with {int(first['events']):,} events (created, messages, reassignments, "
        "solves, reopens; bench/analytics_data.py), their per-ticket metrics computed by the "
        "handler's own function and the hourly rollups summed from them "
        f"({int(first['rollup_rows']):,} rollup rows). Each query is the whole call a "
        f"dashboard makes (kefu.analytics.queries), median and worst of {runs} warm runs; the "
        "naive baseline answers the same question from tickets, tags and events alone "
        "(bench/analytics_naive.py: what a report over the raw tables scans), median of "
        f"{max(1, runs // 2)} warm runs, same run and database. Target: under {TARGET_MS} ms.",
        "",
        "| database | dashboard query | p50 | worst | naive p50 | naive ÷ ours |",
        "|---|---|---:|---:|---:|---:|",
    ]
    rows = [r for r in rows if not r.what.startswith("page: ")] + [
        r for r in rows if r.what.startswith("page: ")
    ]
    for index, r in enumerate(rows):
        if r.what.startswith("page: ") and not rows[index - 1].what.startswith("page: "):
            lines += ["", *PAGE_HEADER]
        naive_text = f"{r.naive_ms:,.0f} ms" if r.naive_ms is not None else "—"
        ratio = f"{r.naive_ms / r.p50_ms:,.0f}×" if r.naive_ms else "—"
        lines.append(
            f"| {r.backend} | {r.what} | {r.p50_ms:.1f} ms | {r.max_ms:.1f} ms | "
            f"{naive_text} | {ratio} |"
        )
    lines.append("")
    for backend, f in facts.items():
        extra = f", `kefu analytics rebuild` {f['rebuild_s']:.0f} s" if "rebuild_s" in f else ""
        lines.append(
            f"- {backend}: {int(f['tickets']):,} tickets with their events, metrics and rollups "
            f"written in {f['generate_s']:.0f} s (bulk); the event handler "
            f"recomputes a ticket from its events in {f['handler_ms_per_ticket']:.2f} ms "
            f"(200 tickets in one batch){extra}."
        )
    return [*lines, ""]


def _one(
    backend: str, scratch: Path, cache: Path, options: argparse.Namespace, turn: Any
) -> tuple[list[Row], dict[str, float]]:
    load_domains()
    url = os.environ.get("KEFU_TEST_POSTGRESQL_URL")
    with fresh_database(backend, scratch, url) as database:
        return measure(backend, database, cache, options, turn)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--tickets",
        type=int,
        default=int(os.environ.get("KEFU_BENCH_ANALYTICS_TICKETS", 1_000_000)),
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--workers", type=int, default=2, help="processes making the rows")
    parser.add_argument(
        "--together", action="store_true", help="load both databases at once (timed in turn)"
    )
    parser.add_argument(
        "--cache", help="keep the generated rows in this directory (reused if it exists)"
    )
    options = parser.parse_args()
    backends = [options.only] if options.only else ["sqlite", "postgresql"]
    if "postgresql" in backends and not os.environ.get("KEFU_TEST_POSTGRESQL_URL"):
        print("KEFU_TEST_POSTGRESQL_URL is not set: PostgreSQL skipped")
        backends.remove("postgresql")
    rows: list[Row] = []
    facts: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(dir=os.environ.get("KEFU_BENCH_DIR")) as scratch:
        cache = Path(options.cache or Path(scratch) / "analytics-rows")
        if not (cache / "head.pickle").exists():
            with Progress() as progress:
                task = progress.add_task(
                    f"making {options.tickets:,} tickets", total=options.tickets
                )
                begin = time.perf_counter()
                build(
                    options.tickets,
                    cache,
                    workers=options.workers,
                    progress=lambda n: progress.advance(task, n),
                )
                build_s = time.perf_counter() - begin
            print(f"made the rows in {build_s:.0f} s", flush=True)
        if options.together and len(backends) > 1:
            context = multiprocessing.get_context("fork")
            with context.Manager() as manager, context.Pool(len(backends)) as pool:
                turn = (manager.Barrier(len(backends)), manager.Lock())
                args = [(b, Path(scratch), cache, options, turn) for b in backends]
                results = pool.starmap(_one, args)
        else:
            results = [_one(b, Path(scratch), cache, options, None) for b in backends]
        for backend, (found, backend_facts) in zip(backends, results, strict=True):
            rows += found
            facts[backend] = backend_facts
    lines = section(rows, facts, options.tickets, options.runs)
    print("\n".join(lines))
    if not options.only and not options.no_write:
        write_section(HEADING, lines)
        print(f"wrote the analytics section of {REPORT}")


if __name__ == "__main__":
    main()
