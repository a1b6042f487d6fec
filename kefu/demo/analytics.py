"""Demo step: dashboards with history. The inbox step winds each demo ticket back in time
(its messages and dates); this step moves the tickets' events to the same moments, so the
metrics (computed from events) tell the same story, rebuilds the metrics and adds two shared
saved reports."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from kefu.accounts import service as accounts
from kefu.analytics.reports.service import SavedReportIn, create_saved_report
from kefu.analytics.reports.spec import ReportSpec
from kefu.analytics.service import rebuild
from kefu.db import Database
from kefu.demo import DEMO_ADMIN_EMAIL, DemoStep
from kefu.demo.inbox import TICKETS_PER_SCALE
from kefu.events import Event
from kefu.kit.clock import as_utc
from kefu.tickets import service as tickets
from kefu.tickets.messages import list_messages

SAVED = (
    ("Weekly team report", "last_week", ["overview", "agent", "channel"]),
    ("Refunds and returns this month", "this_month", ["commerce", "overview"]),
)


def _event_moments(session: Any, ticket_id: int) -> dict[int, datetime]:
    """Each event of the ticket at its ticket's or message's (wound back) time; others at
    the moment of the event before them (a solve sent with the last reply)."""
    ticket = tickets.get_ticket(session, ticket_id, include_deleted=True)
    sent = {m.id: as_utc(m.created_at) for m in list_messages(session, ticket_id)}
    events = session.execute(
        select(Event.id, Event.type, Event.payload)
        .where(Event.subject_type == "ticket", Event.subject_id == str(ticket_id))
        .order_by(Event.id)
    ).all()
    moments: dict[int, datetime] = {}
    moment = as_utc(ticket.created_at)
    for event_id, kind, payload in events:
        if kind == "ticket.created":
            moment = as_utc(ticket.created_at)
        elif kind == "message.added" and (payload or {}).get("message_id") in sent:
            moment = max(moment, sent[payload["message_id"]])
        moments[event_id] = moment
    return moments


def run(database: Database, scale: int, advance: Callable[[int], None]) -> int:
    with database.sessions() as session:
        ticket_ids = [
            int(subject)
            for subject in session.scalars(
                select(Event.subject_id).where(Event.type == "ticket.created")
            )
        ]
    for start in range(0, len(ticket_ids), 200):
        with database.unit_of_work() as session:
            for ticket_id in ticket_ids[start : start + 200]:
                for event_id, moment in _event_moments(session, ticket_id).items():
                    session.execute(
                        update(Event).where(Event.id == event_id).values(created_at=moment)
                    )
    done = rebuild(database)
    with database.unit_of_work() as session:
        admin = accounts.find_agent_by_email(session, DEMO_ADMIN_EMAIL)
        assert admin is not None, "the team step runs first"
        actor = accounts.actor_for(admin)
        for name, preset, sections in SAVED:
            data = SavedReportIn(
                name=name, spec=ReportSpec(range=preset), sections=sections, is_shared=True
            )
            create_saved_report(session, actor=actor, data=data)
    advance(done + len(SAVED))
    return done + len(SAVED)


STEP = DemoStep(
    name="analytics", run=run, size=lambda scale: TICKETS_PER_SCALE * scale + len(SAVED)
)
