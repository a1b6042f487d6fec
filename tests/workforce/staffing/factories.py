"""Staffing test data: queues through the queue service, and a forecast run stored as the
forecast engine stores one (the engine itself is tested in tests/workforce/forecast)."""

from datetime import datetime, timedelta
from typing import Any

from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.workforce import queues
from kefu.workforce.models import ForecastInterval, ForecastRun, WorkforceQueue
from kefu.workforce.schemas import QueueIn

SYSTEM = Actor.system()


def make_queue(database: Database, **values: Any) -> WorkforceQueue:
    data = QueueIn(**{"name": "Phone", "channel": "phone", "aht_seconds": 180, **values})
    with database.unit_of_work(actor=SYSTEM) as session:
        return queues.create_queue(session, actor=SYSTEM, data=data)


def make_forecast(
    database: Database, *, queue_id: int, start: datetime, volumes: list[float], minutes: int = 30
) -> None:
    """A forecast run for consecutive intervals from `start` with these volumes."""
    step = timedelta(minutes=minutes)
    end = start + len(volumes) * step
    with database.unit_of_work(actor=SYSTEM) as session:
        run = ForecastRun(
            queue_id=queue_id, model="SeasonalNaive", wape=0.1, backtest={},
            history_from_at=start - timedelta(weeks=2), history_to_at=start,
            starts_at=start, ends_at=end, measured_aht_seconds=None,
        )  # fmt: skip
        session.add(run)
        session.flush()
        session.add_all(
            ForecastInterval(run_id=run.id, start_at=start + i * step, volume=v, low=v, high=v)
            for i, v in enumerate(volumes)
        )
