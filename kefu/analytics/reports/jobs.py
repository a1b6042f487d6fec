"""The reports' scheduled job: mail each schedule's report once its period has ended."""

from kefu.analytics.reports.delivery import send_due_reports
from kefu.jobs import job
from kefu.runtime import current


@job("analytics.send_reports", schedule="*/15 * * * *")
def send_reports() -> dict[str, int]:
    """Every quarter hour: schedules whose period ended and whose send hour has come. Each
    period is recorded before its mail leaves and marked sent right after (delivery.py)."""
    runtime = current()
    return send_due_reports(runtime, now=runtime.clock())
