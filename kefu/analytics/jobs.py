"""The analytics domain's event handlers: each ticket an event batch touched is recomputed
once from its history (batch handler), and a ticket's SLA outcome is re-read after the sla
domain moved its clocks for the same event."""

from sqlalchemy.orm import Session

import kefu.sla.jobs  # noqa: F401  its handlers register first: the clocks move before we look
from kefu.analytics import service
from kefu.analytics.compute import HISTORY_TYPES
from kefu.analytics.models import TicketMetrics
from kefu.events import Event, handles
from kefu.sla import outcomes, policies


@handles(*HISTORY_TYPES, name="analytics.metrics", batch=True)
def follow_tickets(session: Session, events: list[Event]) -> None:
    """Recompute each touched ticket (idempotent and order-free: from its whole history)."""
    ids = {int(e.subject_id) for e in events if e.subject_type == "ticket"}
    service.refresh(session, ids)


@handles("message.added", "ticket.updated", name="analytics.sla_outcomes")
def follow_sla(session: Session, event: Event) -> None:
    """The sla handler fulfils clocks on the same events, possibly after the batch above
    ran (a batch handler runs at its first event): this one runs after sla.clocks on each
    event (registered later, so its delivery comes later); when the met targets differ
    from the stored row, the ticket is recomputed."""
    if event.subject_type != "ticket" or not policies.any_active(session):
        return
    ticket_id = int(event.subject_id)
    row = session.get(TicketMetrics, ticket_id)
    met = outcomes.fulfilled_metrics(session, [ticket_id])[ticket_id]
    stored = {m for m, v in (row.sla or {}).items() if v == "achieved"} if row else set()
    breached = {m for m, v in (row.sla or {}).items() if v == "breached"} if row else set()
    if met - breached != stored:
        service.refresh(session, [ticket_id])
