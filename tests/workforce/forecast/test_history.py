"""Contact-volume history from kefu's own tickets: arrivals per interval on the queue's
channel (team, store), measured handle time, imported history winning where it exists;
and the queue settings service refusing what it cannot plan with."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from kefu.db import Database
from kefu.errors import Conflict, PermissionDenied
from kefu.kit.actor import Actor
from kefu.permissions import Role
from kefu.tickets import service as tickets
from kefu.tickets.arrivals import REPLY_WORK_CAP_SECONDS
from kefu.workforce import queues
from kefu.workforce.forecasting import actual_volume, forecast_volume
from kefu.workforce.schemas import QueueIn
from tests.accounts.factories import make_agent
from tests.sla.factories import agent_actor
from tests.workforce.forecast.factories import (
    agent_reply,
    arrive,
    history_csv,
    import_text,
    make_queue,
)

MONDAY = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def test_arrivals_are_counted_per_interval_on_the_queue_channel(database: Database) -> None:
    # given a chat queue with 30-minute intervals
    queue = make_queue(database, name="Chat", channel="chat")
    # when three chats arrive in the 08:00 interval, one at 08:45, and an email at 08:10
    for minute in (0, 12, 29):
        arrive(database, at=MONDAY + timedelta(minutes=minute))
    arrive(database, at=MONDAY + timedelta(minutes=45))
    arrive(database, at=MONDAY + timedelta(minutes=10), channel="email")
    # then
    with database.sessions() as session:
        end = MONDAY + timedelta(hours=1, minutes=30)
        got = actual_volume(session, queue_id=queue.id, start=MONDAY, end=end)
    assert [(v.start_at, v.volume) for v in got] == [
        (MONDAY, 3.0),
        (MONDAY + timedelta(minutes=30), 1.0),
        (MONDAY + timedelta(minutes=60), 0.0),
    ]


def test_a_deleted_ticket_is_no_contact(database: Database) -> None:
    queue = make_queue(database, interval_minutes=15)
    kept = arrive(database, at=MONDAY)
    gone = arrive(database, at=MONDAY + timedelta(minutes=1))
    with database.unit_of_work(actor=Actor.system()) as session:
        tickets.delete_ticket(session, actor=Actor.system(), ticket_id=gone)
    with database.sessions() as session:
        got = actual_volume(
            session, queue_id=queue.id, start=MONDAY, end=MONDAY + timedelta(minutes=15)
        )
    assert kept and [v.volume for v in got] == [1.0]


def test_handle_time_is_measured_from_agent_replies(database: Database) -> None:
    # given a contact at 08:00 answered at 08:03, and one at 08:05 answered at 09:00
    queue = make_queue(database)
    agent = agent_actor(database)
    first = arrive(database, at=MONDAY)
    agent_reply(database, ticket_id=first, actor=agent, at=MONDAY + timedelta(minutes=3))
    second = arrive(database, at=MONDAY + timedelta(minutes=5))
    agent_reply(database, ticket_id=second, actor=agent, at=MONDAY + timedelta(minutes=60))
    arrive(database, at=MONDAY + timedelta(minutes=6))  # not answered yet: not measured
    # when
    with database.sessions() as session:
        [interval] = actual_volume(
            session, queue_id=queue.id, start=MONDAY, end=MONDAY + timedelta(minutes=30)
        )
    # then the long wait counts only up to the cap; the unanswered contact is left out
    assert interval.volume == 3.0
    assert interval.aht_seconds == pytest.approx((180 + REPLY_WORK_CAP_SECONDS) / 2)


def test_imported_history_wins_over_tickets_for_its_intervals(database: Database) -> None:
    queue = make_queue(database)
    arrive(database, at=MONDAY)
    arrive(database, at=MONDAY + timedelta(minutes=30))
    text = "start,contacts,aht_seconds\n2026-11-02 08:00,25,240\n"
    import_text(database, queue_id=queue.id, text=text, now=MONDAY + timedelta(days=1))
    with database.sessions() as session:
        got = actual_volume(
            session, queue_id=queue.id, start=MONDAY, end=MONDAY + timedelta(hours=1)
        )
    assert [(v.volume, v.aht_seconds) for v in got] == [(25.0, 240.0), (1.0, 0.0)]


def test_a_queue_never_forecast_has_an_empty_forecast(database: Database) -> None:
    queue = make_queue(database)
    with database.sessions() as session:
        assert (
            forecast_volume(
                session, queue_id=queue.id, start=MONDAY, end=MONDAY + timedelta(days=1)
            )
            == []
        )


def test_history_in_a_queue_time_zone_is_read_as_local_time(database: Database) -> None:
    queue = make_queue(database, time_zone="Asia/Shanghai")
    start = datetime(2026, 11, 2, 0, 0, tzinfo=UTC)
    text = history_csv(start=start, days=1, time_zone="Asia/Shanghai", contacts=lambda at: at.hour)
    import_text(database, queue_id=queue.id, text=text, now=start + timedelta(days=2))
    with database.sessions() as session:
        got = actual_volume(session, queue_id=queue.id, start=start, end=start + timedelta(hours=2))
    assert [v.volume for v in got] == [0.0, 0.0, 1.0, 1.0]


def test_queue_names_are_unique_and_only_managers_edit(database: Database) -> None:
    make_queue(database, name="Phone", channel="phone")
    agent = make_agent(database, email="agent@example.com", role=Role.AGENT)
    actor = Actor(kind="agent", name=agent.name, agent_id=agent.id, role="agent")
    with database.sessions() as session:
        with pytest.raises(Conflict, match="already named Phone"):
            queues.create_queue(
                session, actor=Actor.system(), data=QueueIn(name="Phone", channel="chat")
            )
        with pytest.raises(PermissionDenied):
            queues.create_queue(session, actor=actor, data=QueueIn(name="Other", channel="chat"))
        assert [q.name for q in queues.list_queues(session)] == ["Phone"]


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"time_zone": "Mars/Olympus"}, "unknown time zone"),
        ({"country": "XX"}, "no public holidays known"),
        ({"interval_minutes": 20}, "interval_minutes"),
        ({"shrinkage": 1.0}, "shrinkage"),
        ({"channel": "fax"}, "channel"),
    ],
)
def test_queue_settings_are_checked(values: dict, reason: str) -> None:
    with pytest.raises(ValidationError, match=reason):
        QueueIn(**{"name": "Q", "channel": "chat", **values})


def test_a_queue_narrowed_to_a_store_counts_only_its_contacts(database: Database) -> None:
    # given a queue for store 7's chats
    queue = make_queue(database, name="Store 7 chat", store_id=7)
    arrive(database, at=MONDAY, store_id=7)
    arrive(database, at=MONDAY + timedelta(minutes=1), store_id=8)
    arrive(database, at=MONDAY + timedelta(minutes=2))
    # then only store 7's contact is the queue's
    with database.sessions() as session:
        end = MONDAY + timedelta(minutes=30)
        got = actual_volume(session, queue_id=queue.id, start=MONDAY, end=end)
    assert [v.volume for v in got] == [1.0]
