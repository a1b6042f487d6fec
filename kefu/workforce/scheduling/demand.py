"""The staff each queue needs per interval, read from the staffing service."""

from datetime import datetime

from sqlalchemy.orm import Session


def required_agents(
    session: Session, *, queue_ids: list[int], start_at: datetime, end_at: datetime
) -> dict[tuple[int, datetime], int]:
    """Agents to schedule (after shrinkage) per (queue, interval start); none without a
    forecast."""
    from kefu.workforce.staffing import requirements  # staffing reads forecasts at call time

    needed: dict[tuple[int, datetime], int] = {}
    for queue_id in queue_ids:
        for row in requirements.required_staff(
            session, queue_id=queue_id, start=start_at, end=end_at
        ):
            needed[(queue_id, row.start_at)] = int(row.scheduled_agents)
    return needed
