"""Audit log paging at scale: the last page by cursor costs what the first page costs."""

import random
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import insert, select

from bench.harness import Figure, best_of
from kefu.compliance.models import AuditEntry
from kefu.compliance.service import AuditFilter, list_entries
from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow

ACTIONS = [
    "tickets.updated",
    "tickets.created",
    "messages.created",
    "orders.refunded",
    "agents.signed_in",
    "macros.updated",
    "customers.merged",
]
ENTITIES = ["tickets", "messages", "orders", "customers", "agents", "macros"]
CHUNK = 10_000


def _fill(database: Database, rows: int, advance: Callable[[int], None]) -> None:
    rng = random.Random(7)
    start = utcnow() - timedelta(days=365)
    made = 0
    while made < rows:
        size = min(CHUNK, rows - made)
        batch = []
        for n in range(made, made + size):
            agent = rng.randint(1, 60)
            batch.append(
                {
                    "occurred_at": start + timedelta(seconds=n * 30),
                    "actor_kind": "agent",
                    "actor_ref": f"agent:{agent}",
                    "actor_name": f"Agent {agent}",
                    "action": rng.choice(ACTIONS),
                    "entity_type": rng.choice(ENTITIES),
                    "entity_id": str(rng.randint(1, rows // 5)),
                    "changes": {"status": ["open", rng.choice(["pending", "solved"])]},
                }
            )
        with database.unit_of_work() as session:
            session.execute(insert(AuditEntry), batch)
        made += size
        advance(size)


def run(
    database: Database, backend: str, rows: int, advance: Callable[[int], None]
) -> list[Figure]:
    _fill(database, rows, advance)
    admin = Actor(kind="agent", name="bench", agent_id=1, role="admin")
    with database.sessions() as session:
        lowest = session.scalar(select(AuditEntry.id).order_by(AuditEntry.id).limit(1)) or 0

    def page(before_id: int | None, filters: AuditFilter) -> None:
        with database.sessions() as session:
            result = list_entries(
                session, actor=admin, filters=filters, before_id=before_id, limit=50
            )
            assert len(result.items) == 50

    everything, tickets = AuditFilter(), AuditFilter(entity_type="tickets")
    first = best_of(15, lambda: page(None, everything))
    last = best_of(15, lambda: page(lowest + 400, everything))
    first_filtered = best_of(15, lambda: page(None, tickets))
    deep_filtered = best_of(15, lambda: page(lowest + rows // 10, tickets))
    label = f"{rows:,} entries"
    return [
        Figure("audit paging", backend, f"first page of 50, {label}", first * 1000, "ms"),
        Figure(
            "audit paging",
            backend,
            "last page by cursor",
            last * 1000,
            "ms",
            baseline="first page",
            ratio=last / first,
        ),
        Figure(
            "audit paging",
            backend,
            "first page, filtered by record type",
            first_filtered * 1000,
            "ms",
        ),
        Figure(
            "audit paging",
            backend,
            "page 90% deep, filtered by record type",
            deep_filtered * 1000,
            "ms",
            baseline="first filtered page",
            ratio=deep_filtered / first_filtered,
        ),
    ]
