"""Running a queue's forecast: build its history series, clean out holidays, let the
backtest choose a model, store the run and its intervals."""

from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from kefu.errors import InvalidInput
from kefu.kit.i18n import gettext as _
from kefu.workforce import engine
from kefu.workforce.adjustments import is_holiday
from kefu.workforce.history import IntervalHistory, measured_aht, queue_history
from kefu.workforce.intervals import local_day, local_day_bounds, per_day, per_week
from kefu.workforce.models import ForecastInterval, ForecastRun, WorkforceQueue
from kefu.workforce.queues import get_queue

HISTORY_WEEKS = 11  # 8 weeks to fit on (engine.FIT_WEEKS) before each of the 3 held out
MAX_WEEKS = 8
RUNS_KEPT = 3  # older runs of a queue are deleted when a new one is stored


def history_series(
    session: Session, queue: WorkforceQueue, *, end: datetime, weeks: int = HISTORY_WEEKS
) -> list[IntervalHistory]:
    """The whole weeks of history before `end` that follow the first contact (a queue
    newer than the window starts at the first whole week after its first contact)."""
    history = queue_history(session, queue, start=end - timedelta(weeks=weeks), end=end)
    first = next((i for i, item in enumerate(history) if item.contacts), len(history))
    size = per_week(queue.interval_minutes)
    kept = (len(history) - first) // size * size
    return history[len(history) - kept :]


def without_holidays(queue: WorkforceQueue, history: list[IntervalHistory]) -> np.ndarray:
    """The counts with each public-holiday interval replaced by the same slot a week before,
    so a holiday's dip does not teach the model an ordinary day (holidays are applied to
    the forecast separately)."""
    counts = np.array([item.contacts for item in history], dtype=float)
    if not queue.country:
        return counts
    week = per_week(queue.interval_minutes)
    for index, item in enumerate(history):
        if index >= week and is_holiday(queue, item.start_at):
            counts[index] = counts[index - week]
    return counts


def run_forecast(
    session: Session,
    *,
    queue_id: int,
    now: datetime,
    weeks: int = MAX_WEEKS,
    models: tuple[str, ...] = engine.MODELS,
) -> ForecastRun:
    """Forecast from the start of the queue's current local day for `weeks` weeks, from the
    whole weeks of history before it."""
    if not 1 <= weeks <= MAX_WEEKS:
        raise InvalidInput(_("A forecast looks 1 to %(weeks)s weeks ahead.", weeks=MAX_WEEKS))
    queue = get_queue(session, queue_id)
    start, _end = local_day_bounds(local_day(now, queue.time_zone), queue.time_zone)
    history = history_series(session, queue, end=start)
    try:
        fitted = engine.forecast(
            without_holidays(queue, history),
            interval_minutes=queue.interval_minutes,
            horizon=weeks * per_week(queue.interval_minutes),
            models=models,
        )
    except engine.NotEnoughHistory as exc:
        raise InvalidInput(
            _(
                "Queue %(name)s has %(days)s days of history; a forecast needs at least "
                "%(weeks)s whole weeks.",
                name=queue.name,
                days=_days_with_contacts(session, queue, end=start),
                weeks=engine.MIN_WEEKS,
            )
        ) from exc
    step = timedelta(minutes=queue.interval_minutes)
    run = ForecastRun(
        queue_id=queue.id,
        model=fitted.model,
        wape=fitted.wape,
        backtest=fitted.backtest,
        history_from_at=history[0].start_at,
        history_to_at=start,
        starts_at=start,
        ends_at=start + len(fitted.values) * step,
        measured_aht_seconds=measured_aht(history),
        created_at=now,
    )
    session.add(run)
    session.flush()
    session.execute(
        insert(ForecastInterval),
        [
            {
                "run_id": run.id,
                "start_at": start + index * step,
                "volume": float(value),
                "low": float(fitted.low[index]),
                "high": float(fitted.high[index]),
            }
            for index, value in enumerate(fitted.values)
        ],
    )
    _prune(session, queue.id)
    return run


def _days_with_contacts(session: Session, queue: WorkforceQueue, *, end: datetime) -> int:
    history = queue_history(session, queue, start=end - timedelta(weeks=HISTORY_WEEKS), end=end)
    first = next((i for i, item in enumerate(history) if item.contacts), len(history))
    return (len(history) - first) // per_day(queue.interval_minutes)


def _prune(session: Session, queue_id: int) -> None:
    kept = select(ForecastRun.id).where(ForecastRun.queue_id == queue_id)
    keep = list(session.scalars(kept.order_by(ForecastRun.id.desc()).limit(RUNS_KEPT)))
    session.execute(
        delete(ForecastRun).where(ForecastRun.queue_id == queue_id, ForecastRun.id.not_in(keep))
    )


def list_runs(session: Session, queue_id: int) -> list[ForecastRun]:
    return list(
        session.scalars(
            select(ForecastRun)
            .where(ForecastRun.queue_id == queue_id)
            .order_by(ForecastRun.id.desc())
        )
    )
