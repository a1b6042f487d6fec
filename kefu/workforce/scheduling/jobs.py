"""Scheduling's event handlers and jobs: the agent status log and roster generation."""

from sqlalchemy.orm import Session

from kefu.events import Event, handles
from kefu.jobs import job
from kefu.runtime import current
from kefu.workforce.scheduling import generate, status_log


@handles("agent.status_changed", name="workforce.log_agent_status")
def on_agent_status(session: Session, event: Event) -> None:
    status_log.record(session, event)


@job(generate.JOB)
def generate_roster(roster_id: int, time_limit_seconds: int) -> None:
    generate.run_generation(current().database, roster_id, time_limit_seconds)
