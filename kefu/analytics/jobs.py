"""The analytics domain's event handlers: each ticket an event batch touched is recomputed
once from its history (batch handler), and a ticket's SLA outcome is re-read after the sla
domain moved its clocks for the same events."""

from sqlalchemy import select
from sqlalchemy.orm import Session

import kefu.sla.jobs  # noqa: F401  its handlers register first: the clocks move before we look
from kefu.analytics import service
from kefu.analytics.compute import HISTORY_TYPES
from kefu.analytics.models import TicketMetrics
from kefu.events import Event, emitted_about, handles
from kefu.sla import outcomes, policies


def _touched(events: list[Event]) -> set[int]:
    return {int(e.subject_id) for e in events if e.subject_type == "ticket"}


def _met_again(session: Session, events: list[Event]) -> set[int]:
    """Tickets that a handler of this batch changed after its events (a trigger, the
    assignment): this handler's delivery of those changes is pending, and recomputes them
    from their whole history then — computing them now as well would be thrown away."""
    return emitted_about(session, "ticket", HISTORY_TYPES, after=max(e.id for e in events))


def _precompute(session: Session, events: list[Event]) -> service.Precomputed:
    return service.precompute(session, _touched(events))


@handles(*HISTORY_TYPES, name="analytics.metrics", batch=True, prepare=_precompute)
def follow_tickets(
    session: Session, events: list[Event], prepared: service.Precomputed | None = None
) -> None:
    """Recompute each touched ticket (idempotent and order-free: from its whole history);
    on SQLite mostly worked out before the transaction (`prepare`)."""
    service.refresh(session, _touched(events) - _met_again(session, events), prepared)


@handles("message.added", "ticket.updated", name="analytics.sla_outcomes", batch=True)
def follow_sla(session: Session, events: list[Event]) -> None:
    """The sla handler fulfils clocks on the same events: as a batch handler it has run on
    all of this batch's events before this one runs (registered earlier, so its first
    delivery comes first). Tickets whose met targets differ from the stored row are
    recomputed; without an active SLA policy there is nothing to read."""
    ids = sorted({int(e.subject_id) for e in events if e.subject_type == "ticket"})
    if not ids or not policies.any_active(session):
        return
    stored_sla = dict(  # the two columns, not the rows: a batch reads hundreds
        session.execute(
            select(TicketMetrics.ticket_id, TicketMetrics.sla).where(
                TicketMetrics.ticket_id.in_(ids)
            )
        ).all()
    )
    fulfilled = outcomes.fulfilled_metrics(session, ids)
    stale = []
    for ticket_id in ids:
        sla = stored_sla.get(ticket_id) or {}
        stored = {m for m, v in sla.items() if v == "achieved"}
        breached = {m for m, v in sla.items() if v == "breached"}
        if fulfilled[ticket_id] - breached != stored:
            stale.append(ticket_id)
    service.refresh(session, stale)
