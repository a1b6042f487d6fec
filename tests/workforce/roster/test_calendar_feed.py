"""The iCalendar feed: an agent's published shifts behind a secret address that parses with
icalendar; drafts stay out, and a new address revokes the old."""

from datetime import UTC, datetime

import pytest
from icalendar import Calendar

from kefu.accounts.service import actor_for
from kefu.db import Database
from kefu.errors import NotFound
from kefu.workforce.scheduling import calendar_feed
from tests.accounts.factories import make_agent
from tests.workforce.roster.factories import add_shift, at, make_queue, make_roster, publish

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def test_the_feed_lists_published_shifts_only(database: Database) -> None:
    queue = make_queue(database)
    agent = make_agent(database)
    published = make_roster(database, [queue.id], name="Published")
    add_shift(database, published.id, agent.id, at(0, 8), at(0, 16))
    add_shift(database, published.id, agent.id, at(2, 9), at(2, 17, 30))
    publish(database, published.id)
    draft = make_roster(database, [queue.id], name="Draft", start_date=at(7, 0).date())
    add_shift(database, draft.id, agent.id, at(8, 8), at(8, 16))
    actor = actor_for(agent)
    with database.unit_of_work(actor=actor) as session:
        token = calendar_feed.feed_token(session, actor=actor)
    with database.sessions() as session:
        body = calendar_feed.feed(session, token=token, title="Shift", now=NOW)
    events = Calendar.from_ical(body).walk("VEVENT")
    assert [(e.decoded("dtstart"), e.decoded("dtend")) for e in events] == [
        (at(0, 8), at(0, 16)),
        (at(2, 9), at(2, 17, 30)),
    ]
    assert str(events[0]["summary"]) == "Shift"


def test_a_new_address_revokes_the_old_one(database: Database) -> None:
    actor = actor_for(make_agent(database))
    with database.unit_of_work(actor=actor) as session:
        old = calendar_feed.feed_token(session, actor=actor)
        assert calendar_feed.feed_token(session, actor=actor) == old  # stable until renewed
        new = calendar_feed.feed_token(session, actor=actor, renew=True)
    assert new != old and len(new) >= 40
    with database.sessions() as session:
        with pytest.raises(NotFound):
            calendar_feed.feed(session, token=old, title="Shift", now=NOW)
        assert calendar_feed.agent_for_token(session, new) == actor.agent_id
