"""The outbox's jobs: dispatch right after a commit, and a sweep every minute as the net."""

import logging

from kefu.dispatch import dispatch_due
from kefu.jobs import job
from kefu.runtime import current

log = logging.getLogger(__name__)


@job("events.dispatch")
def dispatch_events() -> None:
    runtime = current()
    report = dispatch_due(runtime.database)
    if report.next_retry_at is not None:
        delay = (report.next_retry_at - runtime.clock()).total_seconds()
        runtime.queue.enqueue("events.dispatch", delay_seconds=max(delay, 1.0))


@job("events.sweep", schedule="* * * * *")
def sweep_events() -> None:
    """Catches deliveries whose dispatch was never enqueued (a crash right after commit)."""
    report = dispatch_due(current().database)
    if report.ran:
        log.info(
            "event sweep: %s done, %s retried, %s failed",
            report.done,
            report.retried,
            report.failed,
        )
