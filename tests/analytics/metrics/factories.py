"""Analytics test data, made through kefu's services at moments a fake clock chooses (every
event takes its time from `kefu.events.utcnow`), so each metric can be computed by hand."""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

import kefu.events
from kefu.accounts.service import actor_for
from kefu.analytics.models import MEASURES, TicketMetrics, rollups
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.feedback import csat
from kefu.kit.actor import Actor
from kefu.sla import checks
from kefu.tickets import messages
from kefu.tickets import service as tickets
from kefu.tickets.schemas import MessageCreate, TicketUpdate
from tests.accounts.factories import make_agent
from tests.tickets.factories import receive

MONDAY = datetime(2026, 3, 2, tzinfo=UTC)  # London is on GMT that week


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def at(self, day: int, hour: int, minute: int = 0) -> datetime:
        """Move to March `day`, 2026 at hour:minute UTC."""
        self.now = MONDAY.replace(day=day, hour=hour, minute=minute)
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeClock]:
    fake = FakeClock(MONDAY)
    monkeypatch.setattr(kefu.events, "utcnow", fake)
    yield fake


def agent(database: Database, email: str, name: str = "Agent") -> Actor:
    return actor_for(make_agent(database, email=email, name=name))


def customer_writes(database: Database, ticket_id: int | None = None, **values: Any) -> int:
    result = receive(database, ticket_id=ticket_id, **values)
    return result.ticket_id


def agent_replies(database: Database, actor: Actor, ticket_id: int, kind: str = "reply") -> None:
    with database.unit_of_work(actor=actor) as session:
        messages.add_message(
            session,
            actor=actor,
            ticket_id=ticket_id,
            data=MessageCreate(kind=kind, body_text="Looking into it."),
        )


def change(database: Database, ticket_id: int, **values: Any) -> None:
    with database.unit_of_work(actor=Actor.system()) as session:
        tickets.update_ticket(
            session, actor=Actor.system(), ticket_id=ticket_id, data=TicketUpdate(**values)
        )


def rate(database: Database, ticket_id: int, rating: str, now: datetime) -> None:
    with database.unit_of_work(actor=Actor.system()) as session:
        csat.record_rating(session, now=now, ticket_id=ticket_id, rating=rating)


def check_sla(database: Database, now: datetime) -> None:
    with database.unit_of_work(actor=Actor.system()) as session:
        checks.check_clocks(session, now=now)


def run_handlers(database: Database) -> None:
    dispatch_due(database)


def metrics_of(database: Database, ticket_id: int) -> TicketMetrics:
    with database.sessions() as session:
        row = session.get(TicketMetrics, ticket_id)
        assert row is not None, f"no metrics for ticket {ticket_id}"
        session.expunge(row)
        return row


def metrics_table(database: Database) -> dict[int, dict[str, Any]]:
    """Every metrics row as plain values (computed_at left out)."""
    with database.sessions() as session:
        found = {}
        for row in session.scalars(select(TicketMetrics)):
            values = {
                c.key: getattr(row, c.key)
                for c in TicketMetrics.__table__.columns
                if c.key != "computed_at"
            }
            found[row.ticket_id] = values
        return found


def rollup_table(database: Database) -> dict[tuple[str, str, int], dict[str, int]]:
    """The rollup rows that hold anything, as {(dim, key, hour): {measure: value}}."""
    with database.sessions() as session:
        found = {}
        for row in session.execute(select(rollups)).mappings():
            values = {name: int(row[name]) for name in MEASURES if row[name]}
            if values:
                found[(row["dim"], row["key"], int(row["hour"]))] = values
        return found
