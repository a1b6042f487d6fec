"""Workforce forecast test data, made through the services: queues, contacts arriving as
tickets through ingest, agent replies at chosen times, imported history, forecast runs."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from unittest.mock import patch
from zoneinfo import ZoneInfo

from kefu.db import Database
from kefu.ingest.schemas import InboundMessage, Sender
from kefu.ingest.service import ingest
from kefu.kit.actor import Actor
from kefu.tickets import messages
from kefu.tickets import service as tickets
from kefu.tickets.schemas import MessageCreate
from kefu.workforce import engine, queues
from kefu.workforce.history_import import ImportReport, import_history
from kefu.workforce.models import ForecastRun, WorkforceQueue
from kefu.workforce.runs import run_forecast
from kefu.workforce.schemas import QueueIn

SYSTEM = Actor.system()
_sequence = iter(range(1, 10**9))


def make_queue(database: Database, **values: Any) -> WorkforceQueue:
    data = QueueIn(**{"name": "Chat", "channel": "chat", **values})
    with database.unit_of_work(actor=SYSTEM) as session:
        return queues.create_queue(session, actor=SYSTEM, data=data)


def arrive(
    database: Database, *, at: datetime, channel: str = "chat", store_id: int | None = None
) -> int:
    """A new contact: a customer's first message through ingest, received at `at`."""
    number = next(_sequence)
    message = InboundMessage(
        channel=channel,
        source_id=f"contact-{number}",
        sender=Sender(email=f"customer{number}@example.com", name=f"Customer {number}"),
        subject=f"Question {number}",
        body_text="Hello?",
        received_at=at,
        store_id=store_id,
    )
    # kefu opens the ticket as the message arrives
    with (
        patch.object(tickets, "utcnow", return_value=at),
        database.unit_of_work(actor=SYSTEM) as session,
    ):
        result = ingest(session, message=message)
    return result.ticket_id


@contextmanager
def messages_written_at(at: datetime) -> Iterator[None]:
    """kefu stamps an agent's reply with the time it is written; the test chooses it."""
    with patch.object(messages, "utcnow", return_value=at):
        yield


def agent_reply(database: Database, *, ticket_id: int, actor: Actor, at: datetime) -> None:
    with messages_written_at(at), database.unit_of_work(actor=actor) as session:
        messages.add_message(
            session, actor=actor, ticket_id=ticket_id,
            data=MessageCreate(kind="reply", body_text="Let me check."),
        )  # fmt: skip


def history_csv(
    *, start: datetime, days: int, interval_minutes: int = 30,
    contacts: Callable[[datetime], int] = lambda at: 10, aht_seconds: float | None = None,
    time_zone: str = "UTC",
) -> str:  # fmt: skip
    """A history file: one row per interval from `start` (local, naive in the file)."""
    zone = ZoneInfo(time_zone)
    lines = ["start,contacts" + (",aht_seconds" if aht_seconds is not None else "")]
    at = start
    for _ in range(days * 24 * 60 // interval_minutes):
        local = at.astimezone(zone).replace(tzinfo=None)
        row = f"{local:%Y-%m-%d %H:%M},{contacts(at)}"
        lines.append(row + (f",{aht_seconds}" if aht_seconds is not None else ""))
        at += timedelta(minutes=interval_minutes)
    return "\n".join(lines) + "\n"


def import_text(database: Database, *, queue_id: int, text: str, now: datetime) -> ImportReport:
    with database.unit_of_work(actor=SYSTEM) as session:
        return import_history(session, actor=SYSTEM, queue_id=queue_id, text=text, now=now)


def forecast_now(
    database: Database, *, queue_id: int, now: datetime, weeks: int = 2,
    models: tuple[str, ...] = (engine.SEASONAL_NAIVE,),
) -> ForecastRun:  # fmt: skip
    """A forecast run; the seasonal naive alone unless asked (a fit of milliseconds)."""
    with database.unit_of_work(actor=SYSTEM) as session:
        return run_forecast(session, queue_id=queue_id, now=now, weeks=weeks, models=models)
