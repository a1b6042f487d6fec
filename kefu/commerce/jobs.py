"""Commerce's background jobs (each declared beside its service)."""

from kefu.commerce import (
    followup_jobs,  # noqa: F401  commerce.send_follow_ups
    sync,  # noqa: F401  commerce.sync_store
)
