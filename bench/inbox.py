"""The shared inbox at scale: the first page of the busiest views and their counts, a deep
page, a ticket page and typical searches, each against a primary-key lookup timed in the
same run on the same database (the ratio holds on noisy machines where absolute figures
do not). Every timing is a whole request's work through the product's own read code, in a
fresh session: p50 and p95 over repeated runs after a warm-up."""

import re
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import cycle
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bench.harness import Figure
from bench.inbox_dataset import Dataset
from bench.inbox_words import END
from kefu.kit.actor import Actor
from kefu.tickets.details import load_thread
from kefu.tickets.models import Message, Ticket
from kefu.tickets.search import search_tickets
from kefu.tickets.views import list_view, view_counts

BENCHMARK = "inbox"
BASELINE = "ticket by primary key"
WARMUP = 3
DEEP_PAGE = 50
# Done-when targets of the shared inbox (issue 4), at 1M tickets on PostgreSQL, 2 cores.
FIRST_PAGE_TARGET_MS = 50
SEARCH_TARGET_MS = 300
ORDER_NUMBER = re.compile(r"#(\d{7})\b")


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


def quoted_order_number(session: Session) -> str:
    """An order number a customer wrote in the second half of the history (so it is in the
    text, and rare: a customer's follow-ups quote it again, nobody else does)."""
    half = (session.scalar(select(func.max(Message.id))) or 0) // 2
    bodies = session.scalars(
        select(Message.body_text)
        .where(Message.id >= half, Message.author_type == "customer")
        .order_by(Message.id)
        .limit(500)
    )
    for body in bodies:
        if found := ORDER_NUMBER.search(body):
            return found.group(1)
    return "0000000"


def searches(dataset: Dataset, session: Session) -> list[tuple[str, str]]:
    """(what it stands for, query): five searches an agent types every day."""
    return [
        ("English phrase", '"wrong size"'),
        ("Chinese term", "退款"),
        ("customer email", dataset.probes.email),
        ("operators", "status:open tag:refund"),
        ("rare order number", quoted_order_number(session)),
    ]


@dataclass
class Request:
    label: str
    work: Callable[[Session], object]
    target_ms: float | None = None


def requests(dataset: Dataset) -> list[Request]:
    """What an agent's browser asks for, first the baseline; each runs in a given session."""
    database = dataset.database
    now = datetime.fromtimestamp(END, UTC)  # the data's present: "recently solved" has rows
    agent = Actor(kind="agent", name="Liam Carter", agent_id=2, role="agent")

    def view(key: str, cursor: str | None = None) -> Callable[[Session], Any]:
        return lambda s: list_view(s, actor=agent, view=key, cursor=cursor, limit=50, now=now)

    def search(query: str) -> Callable[[Session], Any]:
        return lambda s: search_tickets(s, actor=agent, query=query, limit=50, now=now)

    with database.sessions() as session:
        ids = list(session.scalars(select(Ticket.id).order_by(Ticket.id).limit(1000)))
        first = view("all_open")(session)
        opened = [row.ticket.id for row in first.items] or ids
        # page 50 of All open: follow the cursors as an agent scrolling would
        page, cursor = 1, None
        while page < DEEP_PAGE and first.next_cursor:
            cursor = first.next_cursor
            first = view("all_open", cursor)(session)
            page += 1
        typed = searches(dataset, session)
        shown = {query: len(search(query)(session).items) for _, query in typed}
    lookups = cycle(ids[:: max(len(ids) // 100, 1)])
    pages = cycle(opened)
    return [
        Request(BASELINE, lambda s: s.get(Ticket, next(lookups))),
        Request("view “All open”, first page of 50", view("all_open"), FIRST_PAGE_TARGET_MS),
        Request("view “Unassigned”, first page of 50", view("unassigned"), FIRST_PAGE_TARGET_MS),
        Request("sidebar view counts", lambda s: view_counts(s, actor=agent, now=now)),
        Request(f"view “All open”, page {page} by cursor", view("all_open", cursor)),
        Request(
            "ticket page (thread, requester, their other tickets)",
            lambda s: load_thread(s, actor=agent, ticket_id=next(pages)),
        ),
        *(
            Request(
                f"search, {label}: `{query}` ({shown[query]} shown)",
                search(query),
                SEARCH_TARGET_MS,
            )
            for label, query in typed
        ),
    ]


def run(dataset: Dataset, backend: str, repeats: int) -> list[Figure]:
    baseline, *others = requests(dataset)
    base = measure(dataset.database, baseline.work, repeats)
    figures = [Figure(BENCHMARK, backend, f"{BASELINE} (baseline)", base.p50, "ms", p95=base.p95)]
    for request in others:
        timing = measure(dataset.database, request.work, repeats)
        figures.append(
            Figure(
                BENCHMARK,
                backend,
                request.label,
                timing.p50,
                "ms",
                baseline=BASELINE,
                ratio=timing.p50 / base.p50,
                p95=timing.p95,
                target_ms=request.target_ms,
            )
        )
    return figures
