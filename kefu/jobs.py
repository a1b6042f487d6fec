"""Background jobs and schedules on Huey: SQLite storage by default, Redis when configured.

Domains declare jobs with `@job("<domain>.<verb>", schedule="*/5 * * * *")` beside the
task; `make_queue()` registers them on a Huey instance built from the settings at start-up.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from huey import Huey, RedisHuey, SqliteHuey, crontab
from huey.consumer import Consumer

from kefu.config import Settings, ensure_data_dir

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class JobSpec:
    name: str
    fn: Callable[..., Any]
    schedule: str | None


JOBS: dict[str, JobSpec] = {}
AFTER_COMMIT_KEY = "kefu.jobs_after_commit"


def job(name: str, *, schedule: str | None = None) -> Callable[[Callable[..., Any]], Any]:
    """Declare a background job; `schedule` is a five-field cron line (minute hour day month
    weekday, UTC). Jobs take ids, open their own unit of work and are idempotent."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        if schedule is not None:
            _cron(schedule)  # fail at declaration, not at start-up
        JOBS[name] = JobSpec(name, fn, schedule)
        return fn

    return decorate


def _cron(line: str) -> Callable[..., bool]:
    fields = line.split()
    if len(fields) != 5:
        raise ValueError(f"cron schedule needs 5 fields, got {line!r}")
    minute, hour, day, month, weekday = fields
    return crontab(minute=minute, hour=hour, day=day, month=month, day_of_week=weekday)


def enqueue_after_commit(session: Any, name: str, *args: Any) -> None:
    """Queue a job once the caller's transaction commits (never if it rolls back), so the
    job sees the rows it is about; its periodic sweep covers a crash in between."""
    session.info.setdefault(AFTER_COMMIT_KEY, []).append((name, args))


class JobQueue:
    """The Huey instance with kefu's jobs registered on it."""

    def __init__(self, huey: Huey) -> None:
        self.huey = huey
        self._tasks: dict[str, Any] = {}
        for spec in JOBS.values():
            if spec.schedule is None:
                task = huey.task(name=spec.name)(spec.fn)
            else:
                task = huey.periodic_task(_cron(spec.schedule), name=spec.name)(spec.fn)
            self._tasks[spec.name] = task

    def enqueue(self, name: str, *args: Any, delay_seconds: float | None = None) -> None:
        task = self._tasks[name]
        if delay_seconds:
            task.schedule(args=args, delay=delay_seconds)
        else:
            task(*args)

    def pending_count(self) -> int:
        return self.huey.pending_count()

    def run_pending(self) -> int:
        """Execute what is queued now, in this thread; for the CLI and tests."""
        ran = 0
        while (task := self.huey.dequeue()) is not None:
            self.huey.execute(task)
            ran += 1
        return ran


def make_queue(settings: Settings) -> JobQueue:
    if settings.redis_url:
        huey: Huey = RedisHuey("kefu", url=settings.redis_url, results=False)
    else:
        ensure_data_dir(settings)
        huey = SqliteHuey("kefu", filename=str(settings.data_dir / "jobs.db"), results=False)
    return JobQueue(huey)


class InProcessConsumer(Consumer):
    """Huey's consumer as threads inside the web process: it leaves signals to uvicorn."""

    def _set_signal_handlers(self) -> None:
        return None


def start_consumer(queue: JobQueue, *, workers: int, in_process: bool) -> Consumer:
    consumer_class = InProcessConsumer if in_process else Consumer
    consumer = consumer_class(queue.huey, workers=workers, worker_type="thread", max_delay=2.0)
    if in_process:
        consumer.start()
    return consumer
