"""The inbox benchmark at a tiny scale on both databases, so its generator, loader and
measurements keep working as the schema and the read side change."""

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.progress import Progress
from sqlalchemy import column, exists, func, select, table

from bench import inbox
from bench.inbox_data import StoreHistory
from bench.inbox_dataset import Dataset, inbox_database
from bench.inbox_explain import explain
from bench.inbox_report import inbox_section
from kefu.customers.models import Customer, CustomerIdentity
from kefu.kit.actor import Actor
from kefu.tickets.details import load_thread
from kefu.tickets.models import Message, Ticket, TicketTag

TICKETS = 2_000
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")

# Every foreign key the generator fills: (child table, column, parent table).
REFERENCES = [
    ("customer_identities", "customer_id", "customers"),
    ("tickets", "requester_id", "customers"),
    ("tickets", "assignee_id", "agents"),
    ("tickets", "team_id", "teams"),
    ("tickets", "merged_into_id", "tickets"),
    ("messages", "ticket_id", "tickets"),
    ("messages", "author_customer_id", "customers"),
    ("messages", "author_agent_id", "agents"),
    ("ticket_tags", "ticket_id", "tickets"),
    ("ticket_tags", "tag_id", "tags"),
    ("team_memberships", "agent_id", "agents"),
]


@pytest.fixture
def dataset(backend: str, tmp_path: Path) -> Iterator[Dataset]:
    with (
        Progress(disable=True) as progress,
        inbox_database(
            backend,
            tickets=TICKETS,
            bench_dir=tmp_path,
            postgres_url=os.environ.get("KEFU_TEST_POSTGRESQL_URL"),
            progress=progress,
            keep=False,
            name=f"kefu_inbox_test_{WORKER}",
        ) as made,
    ):
        yield made


def test_same_seed_makes_the_same_history() -> None:
    # given two generators with the same seed and scale
    first, second = StoreHistory(300), StoreHistory(300)

    # then they write the same rows
    assert list(first.batches()) == list(second.batches())
    assert first.probes == second.probes


def test_generated_history_is_consistent(dataset: Dataset) -> None:
    database = dataset.database
    with database.sessions() as session:
        # every reference points at a row
        for child, key, parent in REFERENCES:
            rows = table(child, column(key)).alias("c")
            targets = table(parent, column("id")).alias("p")
            dangling = session.scalar(
                select(func.count())
                .select_from(rows)
                .where(rows.c[key].is_not(None), ~exists().where(targets.c.id == rows.c[key]))
            )
            assert dangling == 0, (child, key)
        # the counters on each ticket agree with its messages
        per_ticket = (
            select(
                Message.ticket_id,
                func.count().label("n"),
                func.max(Message.created_at).label("last"),
            )
            .group_by(Message.ticket_id)
            .subquery()
        )
        disagreeing = session.scalar(
            select(func.count())
            .select_from(Ticket)
            .join(per_ticket, per_ticket.c.ticket_id == Ticket.id)
            .where(
                (Ticket.message_count != per_ticket.c.n)
                | (Ticket.last_message_at != per_ticket.c.last)
                | (Ticket.updated_at < Ticket.last_message_at)
            )
        )
        assert disagreeing == 0
        assert session.scalar(select(func.count()).select_from(Ticket)) == TICKETS
        messages = session.scalar(select(func.count()).select_from(Message)) or 0
        assert 3.5 < messages / TICKETS < 4.5
        # most customers wrote once, a few many times
        counts = list(
            session.scalars(select(func.count()).group_by(Ticket.requester_id).select_from(Ticket))
        )
        assert counts.count(1) / len(counts) > 0.6
        assert max(counts) >= 5
        # mostly solved or closed, a few percent still being worked on
        statuses = dict(
            session.execute(select(Ticket.status, func.count()).group_by(Ticket.status)).all()
        )
        unsolved = sum(statuses.get(s, 0) for s in ("new", "open", "pending", "on_hold"))
        assert 0.01 < unsolved / TICKETS < 0.15
        assert statuses["closed"] > TICKETS / 2
        # English and Chinese customers, each with an identity
        names = list(session.scalars(select(Customer.name)))
        assert any(not name.isascii() for name in names)
        assert any(name.isascii() for name in names)
        without_identity = session.scalar(
            select(func.count())
            .select_from(Customer)
            .where(
                ~select(CustomerIdentity.id)
                .where(CustomerIdentity.customer_id == Customer.id)
                .exists()
            )
        )
        assert without_identity == 0
        assert session.scalar(select(func.count()).select_from(TicketTag)) > TICKETS / 2


def test_ticket_page_reads_generated_rows(dataset: Dataset) -> None:
    # given a ticket of a customer who wrote several times
    with dataset.database.sessions() as session:
        requester = session.scalar(
            select(Ticket.requester_id)
            .group_by(Ticket.requester_id)
            .order_by(func.count().desc(), Ticket.requester_id)
            .limit(1)
        )
        ticket_id = session.scalar(
            select(func.max(Ticket.id)).where(
                Ticket.requester_id == requester,
                Ticket.deleted_at.is_(None),
                Ticket.merged_into_id.is_(None),
            )
        )
        assert ticket_id is not None

        # when the ticket page loads it
        thread = load_thread(
            session,
            actor=Actor(kind="agent", name="a", agent_id=2, role="agent"),
            ticket_id=ticket_id,
        )

    # then it shows the thread in order, with aware times, and the other tickets
    assert len(thread.messages) == thread.ticket.message_count
    assert thread.messages[0].author_type == "customer"
    assert thread.ticket.created_at.tzinfo is not None
    assert thread.messages[-1].created_at == thread.ticket.last_message_at
    assert thread.other_tickets
    assert thread.requester.id == requester


def test_benchmark_measures_views_pages_and_searches(dataset: Dataset, backend: str) -> None:
    # when the benchmark runs on the tiny database
    figures = inbox.run(dataset, backend, repeats=2)

    # then every measurement has a median and a p95 and the lookups beside them are real
    labels = [f.what for f in figures]
    assert labels[0] == f"{inbox.BASELINE} (baseline)"
    assert sum("first page" in label for label in labels) == 2
    assert sum(label.startswith("search") for label in labels) == 5
    assert all(f.p95 is not None and f.p95 >= f.value > 0 for f in figures)
    assert all(f.ratio is not None for f in figures[1:])
    # the searches for an existing email and order number find their tickets
    found = {f.what.split(":")[0]: f.what for f in figures if f.what.startswith("search")}
    assert "(0 shown)" not in found["search, customer email"]
    assert "(0 shown)" not in found["search, rare order number"]
    # and the report shows them
    section = "\n".join(inbox_section(figures, [(backend, dataset)]))
    assert "| search, Chinese term: `退款`" in section


def test_explain_shows_the_plan_of_every_statement(dataset: Dataset, backend: str) -> None:
    # when the plans are printed
    report = explain(dataset, backend)

    # then each request is there with its statements and their plans
    assert report.count("\n## ") == 11
    assert "## view “All open”, first page of 50:" in report
    assert ("Execution Time" if backend == "postgresql" else "rows in") in report
