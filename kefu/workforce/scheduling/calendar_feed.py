"""An agent's published shifts as an iCalendar feed behind a secret address."""

import secrets
from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.errors import NotFound, PermissionDenied
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.kit.i18n import gettext as _
from kefu.workforce.scheduling import rosters
from kefu.workforce.scheduling.models import CalendarFeed

PAST_DAYS = 30
FUTURE_DAYS = 120


def feed_token(session: Session, *, actor: Actor, renew: bool = False) -> str:
    """The asking agent's feed secret, made on first use; `renew` revokes the old address."""
    if actor.agent_id is None:
        raise PermissionDenied(_("only an agent has a schedule feed"))
    feed = session.get(CalendarFeed, actor.agent_id)
    if feed is None:
        feed = CalendarFeed(agent_id=actor.agent_id, token=secrets.token_urlsafe(32))
        session.add(feed)
    elif renew:
        feed.token = secrets.token_urlsafe(32)
        feed.created_at = utcnow()
    session.flush()
    return feed.token


def agent_for_token(session: Session, token: str) -> int:
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.token == token))
    if feed is None or not secrets.compare_digest(feed.token, token):
        raise NotFound(_("no such calendar"))
    return feed.agent_id


def feed(session: Session, *, token: str, title: str, now: datetime | None = None) -> bytes:
    """The calendar: published shifts from a month back to four months ahead, breaks noted."""
    agent_id = agent_for_token(session, token)
    now = now or utcnow()
    shifts = rosters.published_shifts_of_agent(
        session, agent_id, now - timedelta(days=PAST_DAYS), now + timedelta(days=FUTURE_DAYS)
    )
    calendar = Calendar()
    calendar.add("prodid", "-//kefu//workforce schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", title)
    for shift in shifts:
        event = Event()
        event.add("uid", f"shift-{shift.id}@kefu")
        event.add("dtstamp", now)
        event.add("dtstart", shift.start_at)
        event.add("dtend", shift.end_at)
        event.add("summary", title)
        lines = [
            f"{b['kind']}: {b['start_at'][11:16]}–{b['end_at'][11:16]} UTC"
            for b in shift.breaks or []
        ]
        if lines:
            event.add("description", "\n".join(lines))
        calendar.add_component(event)
    return calendar.to_ical()
