"""Read side for other domains (analytics): which SLA targets a ticket's clocks met."""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.sla.models import SlaClock


def fulfilled_metrics(session: Session, ticket_ids: Iterable[int]) -> dict[int, set[str]]:
    """Each ticket's metrics whose clock is fulfilled now (met or late: a breach is told by
    the "sla.breached" event)."""
    ids = list(ticket_ids)
    found: dict[int, set[str]] = {ticket_id: set() for ticket_id in ids}
    for start in range(0, len(ids), 1000):
        rows = session.execute(
            select(SlaClock.ticket_id, SlaClock.metric).where(
                SlaClock.ticket_id.in_(ids[start : start + 1000]), SlaClock.status == "fulfilled"
            )
        )
        for ticket_id, metric in rows:
            found[ticket_id].add(metric)
    return found
