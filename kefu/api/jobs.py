"""The api package's scheduled work: forgetting expired Idempotency-Keys."""

from kefu.api.idempotency import purge_expired
from kefu.jobs import job
from kefu.runtime import current


@job("api.purge_idempotency_keys", schedule="41 * * * *")
def purge_idempotency_keys() -> None:
    """Hourly: keys are honoured for 24 hours, then their stored responses go."""
    runtime = current()
    with runtime.database.unit_of_work() as session:
        purge_expired(session, now=runtime.clock())
