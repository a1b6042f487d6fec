"""The workforce domain's scheduled work: each queue's forecast, once a local day."""

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from kefu.errors import KefuError
from kefu.jobs import job
from kefu.kit.actor import Actor
from kefu.runtime import current
from kefu.workforce.forecasting import latest_run
from kefu.workforce.intervals import local_day, local_day_bounds
from kefu.workforce.queues import list_queues
from kefu.workforce.runs import run_forecast

log = logging.getLogger(__name__)


def queues_due(session: Session, *, now: datetime) -> list[int]:
    """Active queues not yet forecast for their current local day."""
    due = []
    for queue in list_queues(session, active_only=True):
        day_start, _end = local_day_bounds(local_day(now, queue.time_zone), queue.time_zone)
        run = latest_run(session, queue.id)
        if run is None or run.starts_at < day_start:
            due.append(queue.id)
    return due


@job("workforce.forecast_queues", schedule="15 * * * *")
def forecast_queues(now: datetime | None = None) -> dict[str, int]:
    """Hourly, so each queue is forecast soon after midnight in its own time zone: every
    active queue without today's run gets one (each queue in its own transaction; one that
    cannot be forecast yet is logged and skipped)."""
    runtime = current()
    now = now or runtime.clock()
    actor = Actor.job("workforce.forecast_queues")
    with runtime.database.unit_of_work(actor=actor) as session:
        due = queues_due(session, now=now)
    done = skipped = 0
    for queue_id in due:
        try:
            with runtime.database.unit_of_work(actor=actor) as session:
                run_forecast(session, queue_id=queue_id, now=now)
            done += 1
        except KefuError as exc:
            log.info("workforce queue %s not forecast: %s", queue_id, exc.message)
            skipped += 1
    return {"forecast": done, "skipped": skipped}
