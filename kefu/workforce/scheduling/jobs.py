"""Scheduling's event handlers and jobs: the agent status log and roster generation."""

from sqlalchemy.orm import Session

from kefu.events import Event, handles
from kefu.workforce.scheduling import status_log


@handles("agent.status_changed", name="workforce.log_agent_status")
def on_agent_status(session: Session, event: Event) -> None:
    status_log.record(session, event)
