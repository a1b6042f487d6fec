"""The SLA panel beside a ticket: each clock, "First reply due in 23 minutes"."""

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.sla.checks import clock_states
from kefu.tickets.panels import PanelTicket


def now() -> datetime:
    """The runtime's clock (tests move it), or the wall clock outside a running kefu."""
    from kefu import runtime

    try:
        return runtime.current().clock()
    except RuntimeError:
        return utcnow()


def sla_panel(session: Session, actor: Actor, ticket: PanelTicket) -> dict[str, Any] | None:
    states = clock_states(session, ticket_id=ticket.id, now=now())
    return {"clocks": states} if states else None
