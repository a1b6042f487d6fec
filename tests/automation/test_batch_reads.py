"""What the trigger and assignment handlers read per batch does not grow with its tickets:
the team's members, settings, lock and agents' statuses and loads, the tickets' assignment
waits and locks, the caused events' loop-guard chains and the notices' checks are read once
(or written without reading first), the custom fields only by a change that sets one, and
round robin's position, the agents' last assignment, the triggers' run log and the chains,
and the events of the ticket changes written once, however many tickets the batch holds; a
trigger that only changes the ticket takes no savepoint of its own."""

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from kefu.automation.rules.models import TriggerChain
from kefu.db import Database
from kefu.tickets import service as tickets
from kefu.tickets.models import Ticket
from tests.test_batch_handlers import configure, in_batches, tag_refunds
from tests.tickets.factories import receive

READS = ("assignment_waits", "team_memberships", "rule_trigger_chains", "custom_fields")
# the team's settings and lock, its agents' statuses and loads, the tickets' lock and the
# notices' checks and badges
READS += ("team_assignments", "agent_capacities", "agent_statuses", "tickets", "notifications")
# the tickets' tags and the tags' ids (a tagging trigger's conditions and actions)
READS += ("ticket_tags", "tags")
# round robin's position and the agents' last assignment: written once per batch
WRITES = ("team_assignments", "agent_statuses")
# the tickets the triggers and assignment change, tagged ones too: flushed together per batch
WRITES += ("tickets",)
# the triggers' run log and the caused events' chains, and the events of the ticket changes
# (triggers', assignment's): inserted together per batch
INSERTS = ("rule_runs", "rule_trigger_chains", "events")


@contextmanager
def reads(database: Database) -> Iterator[Counter[str]]:
    """SELECTs from the READS tables while the block runs, by table."""
    counted: Counter[str] = Counter()

    def count(_c: object, _cur: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            for table in READS:
                if re.search(rf"\bFROM {table}\b", statement):
                    counted[table] += 1
        for table in WRITES:
            if statement.lstrip().startswith(f"UPDATE {table} "):
                counted[f"UPDATE {table}"] += 1
        for table in INSERTS:
            if statement.lstrip().startswith(f"INSERT INTO {table} "):
                counted[f"INSERT {table}"] += 1
        if statement.lstrip().startswith("SAVEPOINT"):
            counted["SAVEPOINT"] += 1

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield counted
    finally:
        event.remove(database.engine, "before_cursor_execute", count)


def new_tickets(database: Database, count: int, tag: str, text: str = "Hello") -> None:
    for n in range(count):
        receive(database, email=f"{tag}{n}@example.com", subject=f"Order {tag}{n}", text=text)


@pytest.mark.usefixtures("runtime")
def test_a_batch_reads_the_same_whatever_its_number_of_tickets(database: Database) -> None:
    # given a shop whose triggers put email in a round-robin team
    configure(database)
    in_batches(database)  # its own events (agents coming online)
    # when two new tickets are handled, then seven (round robin ends on another agent)
    new_tickets(database, 2, "few")
    with reads(database) as few:
        in_batches(database)
    new_tickets(database, 7, "many")
    with reads(database) as many:
        in_batches(database)
    # then the seven cost the handlers the same reads of those tables as the two
    assert many == few
    assert few["assignment_waits"] > 0 and few["team_memberships"] > 0
    assert few["UPDATE team_assignments"] == 1 and few["UPDATE agent_statuses"] > 0
    assert few["INSERT rule_runs"] == 1 and few["INSERT rule_trigger_chains"] == 1
    assert few["INSERT events"] > 0
    # and every ticket was still routed, assigned and its caused events guarded
    with database.sessions() as session:
        rows = session.execute(select(Ticket.team_id, Ticket.assignee_id)).all()
        chains = session.scalar(select(func.count()).select_from(TriggerChain))
    assert len(rows) == 9 and all(team and agent for team, agent in rows)
    assert chains is not None and chains >= 10


@pytest.mark.usefixtures("runtime")
def test_tagging_tickets_does_not_write_them_one_at_a_time(database: Database) -> None:
    # given a shop whose trigger tags the tickets that ask for a refund
    tag_refunds(database)
    # when two new tickets asking for a refund are handled, then seven
    new_tickets(database, 2, "few", text="I want a refund")
    with reads(database) as few:
        in_batches(database)
    new_tickets(database, 7, "many", text="I want a refund")
    with reads(database) as many:
        in_batches(database)
    # then the tagged tickets are written in as many statements for seven as for two:
    # reading a ticket's tags does not flush the batch's changes to the tickets before it
    assert many["UPDATE tickets"] == few["UPDATE tickets"] > 0
    # and their tags and the tag's id are read as often for seven as for two
    assert (many["ticket_tags"], many["tags"]) == (few["ticket_tags"], few["tags"])
    with database.sessions() as session:
        ids = session.scalars(select(Ticket.id)).all()
        tags = tickets.tags_of(session, list(ids))
    assert len(ids) == 9 and all(names == ["refund"] for names in tags.values())
