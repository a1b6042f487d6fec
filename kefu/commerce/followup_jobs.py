"""The scheduled run of proactive follow-ups."""

import logging

from kefu.commerce.followups import run_follow_ups
from kefu.config import secret_key
from kefu.jobs import job
from kefu.kit.actor import Actor
from kefu.runtime import current

log = logging.getLogger(__name__)


@job("commerce.send_follow_ups", schedule="*/15 * * * *")
def send_follow_ups() -> dict[int, dict[str, int]]:
    """Every quarter hour: write the follow-ups that are due (once each, within the caps).
    The messages leave through the email channel's own send job after the commit."""
    runtime = current()
    actor = Actor.job("commerce.send_follow_ups")
    with runtime.database.unit_of_work(actor=actor) as session:
        results = run_follow_ups(
            session,
            now=runtime.clock(),
            key=secret_key(runtime.settings),
            base_url=runtime.settings.base_url,
        )
    return {rule_id: dict(counts) for rule_id, counts in results.items()}
