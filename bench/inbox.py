"""The shared inbox at scale: the first page of the busiest views and their counts, a deep
page, a ticket page and typical searches, each against a primary-key lookup timed in the
same run on the same database (the ratio holds on noisy machines where absolute figures
do not). Every timing is a whole request's work through the product's own read code, in a
fresh session: p50 and p95 over repeated runs after a warm-up."""

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import cycle
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bench.harness import Figure
from bench.inbox_dataset import Dataset
from bench.inbox_words import END
from kefu.kit.actor import Actor
from kefu.tickets.details import load_thread
from kefu.tickets.models import Ticket
from kefu.tickets.search import search_tickets
from kefu.tickets.views import list_view, view_counts

BENCHMARK = "inbox"
BASELINE = "ticket by primary key"
WARMUP = 3
DEEP_PAGE = 50
# Done-when targets of the shared inbox (issue 4), at 1M tickets on PostgreSQL, 2 cores.
FIRST_PAGE_TARGET_MS = 50
SEARCH_TARGET_MS = 300


@dataclass
class Timing:
    p50: float
    p95: float


def measure(database: Any, work: Callable[[Session], object], repeats: int) -> Timing:
    """p50/p95 in ms of `work` run in a fresh session each time, after a warm-up."""
    times = []
    for n in range(WARMUP + repeats):
        start = time.perf_counter()
        with database.sessions() as session:
            work(session)
        if n >= WARMUP:
            times.append((time.perf_counter() - start) * 1000)
    cuts = statistics.quantiles(times, n=20, method="inclusive")
    return Timing(statistics.median(times), cuts[18])


def searches(dataset: Dataset) -> list[tuple[str, str]]:
    """(what it stands for, query): five searches an agent types every day."""
    probes = dataset.probes
    return [
        ("English phrase", '"wrong size"'),
        ("Chinese term", "退款"),
        ("customer email", probes.email),
        ("operators", "status:open tag:refund"),
        ("rare order number", probes.order_number),
    ]


def run(dataset: Dataset, backend: str, repeats: int) -> list[Figure]:
    database = dataset.database
    now = datetime.fromtimestamp(END, UTC)  # the data's present: "recently solved" has rows
    agent = Actor(kind="agent", name="Liam Carter", agent_id=2, role="agent")
    figures: list[Figure] = []

    def figure(what: str, timing: Timing, *, target: float | None = None, base: bool = False):
        figures.append(
            Figure(
                BENCHMARK,
                backend,
                what,
                timing.p50,
                "ms",
                baseline="" if base else BASELINE,
                ratio=None if base else timing.p50 / baseline.p50,
                p95=timing.p95,
                target_ms=target,
            )
        )

    with database.sessions() as session:
        ids = list(session.scalars(select(Ticket.id).order_by(Ticket.id).limit(1000)))
        first_page = list_view(session, actor=agent, view="all_open", limit=50, now=now)
        opened = [row.ticket.id for row in first_page.items] or ids
    lookups = cycle(ids[:: max(len(ids) // 100, 1)])
    baseline = measure(database, lambda s: s.get(Ticket, next(lookups)), repeats)
    figure(BASELINE + " (baseline)", baseline, base=True)

    for view, label in (("all_open", "All open"), ("unassigned", "Unassigned")):
        timing = measure(
            database,
            lambda s, v=view: list_view(s, actor=agent, view=v, limit=50, now=now),
            repeats,
        )
        figure(f"view “{label}”, first page of 50", timing, target=FIRST_PAGE_TARGET_MS)
    figure(
        "sidebar view counts",
        measure(database, lambda s: view_counts(s, actor=agent, now=now), repeats),
    )

    page, cursor = 1, None
    with database.sessions() as session:
        result = list_view(session, actor=agent, view="all_open", limit=50, now=now)
        while page < DEEP_PAGE and result.next_cursor:
            cursor = result.next_cursor
            result = list_view(
                session, actor=agent, view="all_open", cursor=cursor, limit=50, now=now
            )
            page += 1
    figure(
        f"view “All open”, page {page} by cursor",
        measure(
            database,
            lambda s: list_view(s, actor=agent, view="all_open", cursor=cursor, limit=50, now=now),
            repeats,
        ),
    )

    pages = cycle(opened)
    figure(
        "ticket page (thread, requester, their other tickets)",
        measure(database, lambda s: load_thread(s, actor=agent, ticket_id=next(pages)), repeats),
    )

    for label, query in searches(dataset):
        with database.sessions() as session:
            shown = len(search_tickets(session, actor=agent, query=query, limit=50, now=now).items)
        figure(
            f"search, {label}: `{query}` ({shown} shown)",
            measure(
                database,
                lambda s, q=query: search_tickets(s, actor=agent, query=q, limit=50, now=now),
                repeats,
            ),
            target=SEARCH_TARGET_MS,
        )
    return figures
