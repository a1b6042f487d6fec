"""The search index follows the write side through the outbox, and rebuilds in batches."""

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from kefu.customers import service as customers
from kefu.customers.schemas import CustomerUpdate, IdentityIn
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.events import Event
from kefu.kit.actor import Actor
from kefu.tickets import service as tickets
from kefu.tickets.jobs import index_ticket
from kefu.tickets.merge import merge_tickets, split_message
from kefu.tickets.messages import add_message
from kefu.tickets.models import TicketSearchDocument
from kefu.tickets.schemas import MessageCreate, TicketUpdate
from kefu.tickets.search import search_tickets
from kefu.tickets.search_index import (
    current_documents,
    document_tokens,
    prepare_documents,
    rebuild_index,
)
from tests.tickets.factories import make_ticket, receive
from tests.tickets.read_factories import add_customer, add_ticket

SYSTEM = Actor.system()


def found(database: Database, query: str) -> list[int]:
    with database.sessions() as s:
        return [row.ticket.id for row in search_tickets(s, actor=SYSTEM, query=query).items]


def test_new_tickets_and_notes_are_found_once_dispatched(database: Database):
    # given: a ticket opened with an internal note
    ticket = make_ticket(database, subject="Broken zipper", text="Supplier batch Z-17 is faulty")
    assert found(database, "zipper") == []
    # when
    report = dispatch_due(database)
    # then
    assert report.failed == 0
    assert found(database, "zipper") == [ticket.id]
    assert found(database, "supplier batch") == [ticket.id]
    assert found(database, "emily@example.com zipper") == [ticket.id]


def test_replies_subject_changes_and_customer_changes_reach_the_index(database: Database):
    ticket = make_ticket(database, subject="Parcel late", text=None)
    with database.unit_of_work(actor=SYSTEM) as s:
        add_message(
            s, actor=SYSTEM, ticket_id=ticket.id, data=MessageCreate(body_text="我想申请退款")
        )
        tickets.update_ticket(
            s, actor=SYSTEM, ticket_id=ticket.id, data=TicketUpdate(subject="Missing parcel")
        )
        customers.update_customer(
            s, actor=SYSTEM, customer_id=ticket.requester_id, data=CustomerUpdate(name="Emily Wu")
        )
        customers.add_identity(
            s,
            actor=SYSTEM,
            customer_id=ticket.requester_id,
            data=IdentityIn(kind="phone", value="+86 138 0013 8000"),
        )
    dispatch_due(database)
    assert found(database, "退款") == [ticket.id]
    assert found(database, "missing") == [ticket.id]
    assert found(database, "late") == []
    assert found(database, "emily wu") == [ticket.id]
    assert found(database, "13800138000") == [ticket.id]


def test_a_merged_ticket_is_found_through_its_survivor(database: Database):
    target = make_ticket(database, subject="Order 55", text="first")
    source = make_ticket(database, subject="Order 55 again", text="wrong colour delivered")
    dispatch_due(database)
    with database.unit_of_work(actor=SYSTEM) as s:
        merge_tickets(s, actor=SYSTEM, target_id=target.id, source_ids=[source.id])
    dispatch_due(database)
    assert found(database, "wrong colour") == [target.id]


def test_indexing_twice_changes_nothing(database: Database):
    ticket = make_ticket(database, subject="Scarf", text="lost in transit")
    dispatch_due(database)

    def document() -> str:
        with database.sessions() as s:
            return str(s.get_one(TicketSearchDocument, ticket.id).document)

    before = document()
    with database.unit_of_work() as s:
        event = s.scalars(select(Event).where(Event.type == "ticket.created")).one()
        index_ticket(s, event)
        index_ticket(s, event)
    assert document() == before
    assert found(database, "transit") == [ticket.id]


def test_rebuild_indexes_every_ticket_in_batches(database: Database):
    # given: three tickets whose documents are gone
    with database.unit_of_work() as s:
        emily = add_customer(s)
        made = [
            add_ticket(s, requester=emily, subject=f"gift card {n}", updated=n).id
            for n in (1, 2, 3)
        ]
        s.execute(delete(TicketSearchDocument))
    assert found(database, "gift") == []
    # when
    calls: list[tuple[int, int]] = []
    done = rebuild_index(database, batch_size=2, progress=lambda n, total: calls.append((n, total)))
    # then
    assert (done, calls) == (3, [(2, 3), (3, 3)])
    assert found(database, "gift card") == made


@pytest.mark.slow
def test_reindex_command_reports_the_count(database: Database, database_url: str, tmp_path: Path):
    with database.unit_of_work() as s:
        add_ticket(s, requester=add_customer(s), subject="umbrella")
        s.execute(delete(TicketSearchDocument))
    env = {"KEFU_DATABASE_URL": database_url, "KEFU_DATA_DIR": str(tmp_path), "PATH": "/usr/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "kefu", "search", "reindex"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Indexed 1 tickets for search." in result.stdout
    assert len(found(database, "umbrella")) == 1


def test_documents_tokenized_before_the_transaction_are_kept_only_while_they_hold(
    database: Database,
):
    # given four tickets' documents tokenized in a reading session
    quiet = make_ticket(database, subject="Broken zipper", email="ann@example.com")
    replied = make_ticket(database, subject="Parcel late", email="bob@example.com")
    renamed = make_ticket(database, subject="Wrong colour", email="cai@example.com")
    first = receive(database, email="dan@example.com", subject="Two things", text="Parcel one?")
    second = receive(
        database, email="dan@example.com", text="Invoice KX77?", ticket_id=first.ticket_id
    )
    dispatch_due(database)
    ids = [quiet.id, replied.id, renamed.id, first.ticket_id]
    with database.reading() as s:
        ahead = prepare_documents(s, ids)
    # when, after the reading, one gets a reply, another's customer a new name and the
    # last loses a message to a ticket of its own (an event about the new ticket only)
    with database.unit_of_work(actor=SYSTEM) as s:
        add_message(
            s, actor=SYSTEM, ticket_id=replied.id, data=MessageCreate(body_text="运单号 SF1234")
        )
        customers.update_customer(
            s, actor=SYSTEM, customer_id=renamed.requester_id, data=CustomerUpdate(name="Cai Wen")
        )
        split_message(s, actor=SYSTEM, ticket_id=first.ticket_id, message_id=second.message_id)
    with database.unit_of_work(actor=SYSTEM) as s:
        now = current_documents(s, ids, ahead)
        fresh = document_tokens(s, ids)
    # then the documents are those of now; only the untouched ticket's was taken as read
    assert now == fresh
    assert now[quiet.id] is ahead.documents[quiet.id]
    for changed in ids[1:]:
        assert now[changed] != ahead.documents[changed]
