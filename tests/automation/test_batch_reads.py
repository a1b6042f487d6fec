"""What the trigger and assignment handlers read per batch does not grow with its tickets:
the team's members, the tickets' assignment waits and the caused events' loop-guard chains
are read once (or written without reading first), and the custom fields only by a change
that sets one, however many tickets the batch holds."""

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, func, select

from kefu.automation.rules.models import TriggerChain
from kefu.db import Database
from kefu.tickets.models import Ticket
from tests.test_batch_handlers import configure, in_batches
from tests.tickets.factories import receive

READS = ("assignment_waits", "team_memberships", "rule_trigger_chains", "custom_fields")
# the team's settings and lock, its agents' statuses and loads, the tickets' lock and the
# notices' checks and badges
READS += ("team_assignments", "agent_capacities", "agent_statuses", "tickets", "notifications")


@contextmanager
def reads(database: Database) -> Iterator[Counter[str]]:
    """SELECTs from the READS tables while the block runs, by table."""
    counted: Counter[str] = Counter()

    def count(_c: object, _cur: object, statement: str, *_: object) -> None:
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            for table in READS:
                if re.search(rf"\bFROM {table}\b", statement):
                    counted[table] += 1

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        yield counted
    finally:
        event.remove(database.engine, "before_cursor_execute", count)


def new_tickets(database: Database, count: int, tag: str) -> None:
    for n in range(count):
        receive(database, email=f"{tag}{n}@example.com", subject=f"Order {tag}{n}")


@pytest.mark.usefixtures("runtime")
def test_a_batch_reads_the_same_whatever_its_number_of_tickets(database: Database) -> None:
    # given a shop whose triggers put email in a round-robin team
    configure(database)
    in_batches(database)  # its own events (agents coming online)
    # when two new tickets are handled, then eight
    new_tickets(database, 2, "few")
    with reads(database) as few:
        in_batches(database)
    new_tickets(database, 8, "many")
    with reads(database) as many:
        in_batches(database)
    # then the eight cost the handlers the same reads of those tables as the two
    assert many == few
    assert few["assignment_waits"] > 0 and few["team_memberships"] > 0
    # and every ticket was still routed, assigned and its caused events guarded
    with database.sessions() as session:
        rows = session.execute(select(Ticket.team_id, Ticket.assignee_id)).all()
        chains = session.scalar(select(func.count()).select_from(TriggerChain))
    assert len(rows) == 10 and all(team and agent for team, agent in rows)
    assert chains is not None and chains >= 10
