"""Bulk ingest of an email batch stores exactly what one-by-one ingest stores: the same
customers, tickets, messages, CCs, events and audit entries, ids included; it threads mail
that depends on mail earlier in the same batch; a failing bulk write falls back to one by
one without losing a mail; and fetching the same mail again adds nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text

from kefu.channels.email import inbound, inbound_batch
from kefu.channels.email.inbound import RawEmail, Receipt, receive_emails
from kefu.db import Database
from kefu.kit.filestore import FileStore
from kefu.runtime import open_database
from kefu.tickets.models import Message, Ticket
from tests.accounts.factories import make_agent
from tests.channels.email.bulk_mail import SUPPORT, first_day, mixed_batch, snapshot
from tests.channels.email.factories import mail, make_mailbox
from tests.conftest import POSTGRES_URL, WORKER, _counter
from tests.postgres import scratch_database


@pytest.fixture
def other_database(backend: str, _template: str, tmp_path: Path) -> Iterator[Database]:
    """A second fresh database on the same backend, for the one-by-one run."""
    if backend == "sqlite":
        path = tmp_path / "other.db"
        path.write_bytes(Path(_template).read_bytes())
        database = open_database(f"sqlite:///{path}")
        yield database
        database.dispose()
        return
    assert POSTGRES_URL
    name = f"kefu_other_{WORKER}_{next(_counter)}"
    with scratch_database(POSTGRES_URL, name, template=_template) as url:
        database = open_database(url)
        yield database
        database.dispose()


def one_by_one(
    session,
    files,
    batch,
    emails,  # type: ignore[no-untyped-def]
    **_options,
) -> list[Receipt]:
    return [inbound.receive_one(session, files, batch, email) for email in emails]


def run(database: Database, files: FileStore, mailbox_id: int, raws: list[bytes]) -> list[tuple]:
    emails = [RawEmail(raw, f"mail {n}") for n, raw in enumerate(raws)]
    receipts = receive_emails(database, files, mailbox_id=mailbox_id, emails=emails)
    return [(r.ticket_id, r.message_id, r.is_duplicate, r.failed, r.noise) for r in receipts]


AGENT = "agent@example.com"


def scenario(database: Database, files: FileStore, mailbox: list[list[bytes]]) -> list[list[tuple]]:
    """A day of stored mail, some tickets moved on by agents, then one mixed batch."""
    make_agent(database, email=AGENT)
    mailbox_id = make_mailbox(database, address=SUPPORT).id
    first = run(database, files, mailbox_id, mailbox[0])
    solved, closed, hinted, pending = (r[0] for r in first[:4])
    assert hinted == HINTED
    with database.unit_of_work() as session:
        for status, ticket_id in (("solved", solved), ("closed", closed), ("pending", pending)):
            session.execute(
                text("UPDATE tickets SET status = :s, solved_at = updated_at WHERE id = :id"),
                {"s": status, "id": ticket_id},
            )
    return [first, run(database, files, mailbox_id, mailbox[1])]


HINTED = 3  # the ticket first_day's third mail opens


def test_bulk_ingest_stores_exactly_what_one_by_one_ingest_stores(
    database: Database,
    other_database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given the same mail, batched as the fetchers batch it
    mailbox = [first_day(), mixed_batch(AGENT, ticket_for_hint=HINTED)]
    real, in_bulk = inbound_batch.ingest_many, []

    def counting(session, messages, **options):  # type: ignore[no-untyped-def]
        results, stopped = real(session, messages, **options)
        in_bulk.append(len(results))
        return results, stopped

    monkeypatch.setattr(inbound_batch, "ingest_many", counting)
    bulk_receipts = scenario(database, FileStore(tmp_path / "bulk"), mailbox)
    assert sum(in_bulk) > 0.8 * sum(len(part) for part in mailbox)
    # when the other database gets it one mail at a time
    monkeypatch.setattr(inbound_batch, "receive_batch", one_by_one)
    single_receipts = scenario(other_database, FileStore(tmp_path / "single"), mailbox)
    # then every receipt and every row is the same
    assert bulk_receipts == single_receipts
    bulk, single = snapshot(database), snapshot(other_database)
    for table in bulk:
        assert bulk[table] == single[table], table
    assert len(bulk["messages"]) > 150 and len(bulk["ticket_ccs"]) > 1
    with database.sessions() as session:
        flagged = session.scalar(
            select(Ticket.priority).where(Ticket.subject == "Need it by Friday")
        )
    assert flagged == "high"


def test_mail_threads_on_mail_earlier_in_the_same_batch(database: Database, tmp_path: Path) -> None:
    # given a customer's first mail, their reply to it, and a second customer's same subject
    files = FileStore(tmp_path / "files")
    raws = [
        mail(sender="ann@example.com", subject="Where is my order?", message_id="a1@x"),
        mail(sender="bob@example.com", subject="Where is my order?", message_id="b1@x"),
        mail(sender="ann@example.com", subject="Re: Where is my order?", in_reply_to="a1@x"),
        mail(sender="ann@example.com", subject="AW: where is my order?", text="hello?"),
        mail(sender="bob@example.com", subject="Other", references=["x@y", "b1@x"]),
    ]
    # when they arrive in one batch
    receipts = run(database, files, make_mailbox(database).id, raws)
    # then Ann's three mails share one ticket and Bob's two another
    tickets = [r[0] for r in receipts]
    assert tickets[0] == tickets[2] == tickets[3] != tickets[1] == tickets[4]
    with database.sessions() as session:
        assert session.scalar(select(func.count(Ticket.id))) == 2
        counts = dict(session.execute(select(Ticket.id, Ticket.message_count)).all())
        assert counts == {tickets[0]: 3, tickets[1]: 2}


def test_a_failing_bulk_write_falls_back_to_one_by_one(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # given a bulk write that fails after writing (a concurrent insert, say)
    real = inbound_batch.ingest_many
    calls = []

    def failing(session, messages, **options):  # type: ignore[no-untyped-def]
        calls.append(len(messages))
        real(session, messages, **options)
        raise RuntimeError("conflicting insert")

    monkeypatch.setattr(inbound_batch, "ingest_many", failing)
    files = FileStore(tmp_path / "files")
    raws = [mail(sender=f"c{n}@example.com", subject=f"Question {n}") for n in range(5)]
    raws.insert(2, mail(sender="c0@example.com", subject="Re: Question 0", text="more"))
    # when the batch arrives
    receipts = run(database, files, make_mailbox(database).id, raws)
    # then the savepoint's rows are gone and every mail is stored once, one by one
    assert calls == [6]
    assert [r[3] for r in receipts] == [False] * 6
    assert receipts[2][0] == receipts[0][0]
    with database.sessions() as session:
        assert session.scalar(select(func.count(Message.id))) == 6
        assert session.scalar(select(func.count(Ticket.id))) == 5
        assert session.scalar(text("SELECT count(*) FROM customers")) == 5
        assert session.scalar(text("SELECT count(*) FROM events")) == 5 + 5 + 6


def test_fetching_a_batch_again_adds_nothing(database: Database, tmp_path: Path) -> None:
    # given a batch stored, and half of it stored before a crash
    files = FileStore(tmp_path / "files")
    mailbox_id = make_mailbox(database).id
    raws = [mail(sender=f"c{n % 3}@example.com", subject=f"Question {n}") for n in range(8)]
    first = run(database, files, mailbox_id, raws[:4])
    before = snapshot(database)
    # when the whole batch is fetched again, twice
    again = run(database, files, mailbox_id, raws)
    after_first = snapshot(database)
    third = run(database, files, mailbox_id, raws)
    # then the first half are duplicates of what was stored, and nothing is added twice
    assert [r[:2] for r in again[:4]] == [r[:2] for r in first]
    assert [r[2] for r in again] == [True] * 4 + [False] * 4
    assert [r[2] for r in third] == [True] * 8
    assert [r[:2] for r in third] == [r[:2] for r in again]
    assert snapshot(database) == after_first != before


def test_a_batch_is_written_in_one_insert_a_table(database: Database, tmp_path: Path) -> None:
    """Each table bulk ingest fills gets one multi-row INSERT a batch, not one a row (SQLite
    ran every INSERT ... RETURNING a row at a time)."""
    # given sixty mails from new customers, some copying others and some with a file
    files = FileStore(tmp_path / "files")
    mailbox_id = make_mailbox(database).id
    raws = [
        mail(
            sender=f"c{n}@example.com",
            name=f"客户 {n}",
            subject=f"问题 {n}",
            cc=[f"copied{n}@example.com"] if n % 3 == 0 else [],
            attachments=[("发票.txt", "text/plain", b"x")] if n % 4 == 0 else [],
        )
        for n in range(60)
    ]
    inserts: Counter[str] = Counter()

    def count(_conn, _cursor, statement, *_):  # type: ignore[no-untyped-def]
        if statement.startswith("INSERT INTO"):
            inserts[statement.split()[2].strip('"')] += 1

    event.listen(database.engine, "before_cursor_execute", count)
    # when they arrive in one batch
    receipts = run(database, files, mailbox_id, raws)
    # then they were stored in bulk, each table in one statement
    assert [r[3] for r in receipts] == [False] * 60
    tables = ["customers", "customer_identities", "tickets", "messages", "attachments"]
    tables += ["ticket_ccs", "audit_entries", "events", "event_deliveries"]
    assert {table: inserts[table] for table in tables} == dict.fromkeys(tables, 1)
    with database.sessions() as session:
        assert session.scalar(text("SELECT count(*) FROM customers")) == 60 + 20
        assert session.scalar(text("SELECT count(*) FROM attachments")) == 15
        audited = "SELECT count(*) FROM audit_entries WHERE entity_type <> 'mailboxes'"
        assert session.scalar(text(audited)) == 80 * 2 + 60 * 2
