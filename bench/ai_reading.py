"""AI reading benchmark: what reading customer messages costs the outbox and how fast the
reading job stores them, on a fresh database.

python -m bench.ai_reading [--messages 2000] [--backend sqlite|postgresql]
Writes the "## AI reading" section of docs/benchmarks.md: the message.added handler's share
of dispatching (it only queues: no model), the reading job's first batch (the seed model
learned in the process) and its steady rate, and the message.analysed triggers after it."""

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.harness import fresh_database, machine, write_section
from kefu.ai import reading, taxonomy
from kefu.db import Database
from kefu.demo import ai as demo_ai
from kefu.dispatch import dispatch_due
from kefu.domains import load_domains
from kefu.events import HandlerSpec, registry
from kefu.ingest.schemas import InboundMessage, Sender
from kefu.ingest.service import ingest
from kefu.kit.actor import Actor

HEADING = "## AI reading"
KEY = "bench-key-" + "x" * 40


def texts(count: int) -> list[str]:
    """Customer messages: kefu's seed examples in both languages, numbered, in turn."""
    seeds = [text for text, _ in taxonomy.seed_examples()]
    return [f"{seeds[n % len(seeds)]} (order {100200 + n})" for n in range(count)]


def timed_handlers() -> dict[str, list[float]]:
    """Every batch handler wrapped to record its seconds per call."""
    spent: dict[str, list[float]] = {}
    for name in registry.names():
        spec = registry.get(name)
        assert spec is not None

        def wrap(fn: Any, name: str = name) -> Callable[..., None]:
            def run(*args: Any) -> None:
                began = time.perf_counter()
                fn(*args)
                spent.setdefault(name, []).append(time.perf_counter() - began)

            return run

        registry.replace(HandlerSpec(spec.name, spec.event_types, wrap(spec.fn),
                                     spec.max_attempts, spec.batch))  # fmt: skip
    return spent


def dispatch_all(database: Database) -> float:
    began = time.perf_counter()
    while dispatch_due(database, batch=500).ran:
        pass
    return time.perf_counter() - began


def run(database: Database, count: int) -> dict[str, float]:
    with database.unit_of_work(actor=Actor.system()) as session:
        demo_ai.set_up(session, Actor.system())  # the trigger message.analysed runs
    for n, text in enumerate(texts(count)):
        with database.unit_of_work(actor=Actor.system()) as session:
            ingest(session, message=InboundMessage(
                channel="email", source_id=f"<bench-{n}@example.com>",
                sender=Sender(email=f"c{n % 500}@example.com", name=f"C{n}"),
                subject="Question", body_text=text))  # fmt: skip
    spent = timed_handlers()
    dispatched = dispatch_all(database)
    queue = spent.get("ai.queue_messages", [])
    began = time.perf_counter()
    first = reading.read_pending(database, key=KEY, batch=reading.BATCH)
    assert first == count, first
    read_seconds = time.perf_counter() - began
    return {
        "dispatch_s": dispatched,
        "queue_s": sum(queue),
        "queue_calls": len(queue),
        "queue_ms_per_batch": statistics.median(queue) * 1000 if queue else 0.0,
        "read_s": read_seconds,
        "triggers_s": dispatch_all(database),
    }


def first_batch_seconds(database: Database) -> float:
    """The first batch in a fresh process learns the seed model: timed alone."""
    with database.unit_of_work(actor=Actor.system()) as session:
        ingest(session, message=InboundMessage(
            channel="email", source_id="<bench-first@example.com>",
            sender=Sender(email="first@example.com"), subject="Hi",
            body_text="Where is my parcel?"))  # fmt: skip
    dispatch_all(database)
    began = time.perf_counter()
    reading.read_pending(database, key=KEY)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--backend", default="sqlite", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    load_domains()
    workdir = Path(os.environ.get("KEFU_BENCH_DIR", ".bench"))
    workdir.mkdir(parents=True, exist_ok=True)
    with fresh_database(args.backend, workdir, os.environ.get("KEFU_TEST_POSTGRES_URL")) as db:
        cold = first_batch_seconds(db)
        figures = run(db, args.messages)
    load = os.getloadavg()[0]
    n = args.messages
    lines = [
        HEADING, "",
        f"{datetime.now(UTC):%Y-%m-%d}, {args.backend}, {n:,} customer messages (kefu's seed "
        f"examples, numbered), {machine()}, load average {load:.1f} (the machine is shared).",
        "", "| what | figure |", "|---|---|",
        f"| dispatching their events (every handler) | {figures['dispatch_s']:.1f} s |",
        f"| of which `ai.queue_messages` (queues, no model) | {figures['queue_s'] * 1000:.0f} ms "
        f"in {figures['queue_calls']} dispatch batches (500 deliveries each), median "
        f"{figures['queue_ms_per_batch']:.1f} ms per batch; "
        f"{figures['queue_s'] / figures['dispatch_s']:.1%} of dispatching |",
        f"| reading job, first message in a fresh process (learns the seed model) | "
        f"{cold:.1f} s |",
        f"| reading job, {n:,} messages stored | {figures['read_s']:.1f} s, "
        f"{n / figures['read_s']:.0f} messages/s |",
        f"| `message.analysed` dispatched (the demo's trigger on intent and sentiment) | "
        f"{figures['triggers_s']:.1f} s |",
        "",
        "Ingest never waits for a model: the handler only inserts the queue rows, and the job "
        "embeds and classifies with no transaction open, then stores each batch of 256 in one "
        "short transaction.", "",
    ]  # fmt: skip
    write_section(HEADING, lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
