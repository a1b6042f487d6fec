"""Rosters and hand-edited shifts: created for a queue's time zone, shifts kept inside the
roster and never overlapping for one agent, breaks moved with their shift, published."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from kefu.accounts.service import actor_for
from kefu.db import Database
from kefu.errors import Conflict, InvalidInput, PermissionDenied
from kefu.events import Event
from kefu.workforce.scheduling import coverage, rosters
from kefu.workforce.scheduling.models import Shift
from kefu.workforce.scheduling.schemas import RosterIn, ShiftIn
from tests.accounts.factories import make_agent
from tests.workforce.roster.factories import (
    MONDAY,
    SYSTEM,
    add_shift,
    at,
    make_queue,
    make_roster,
    publish,
)


def test_a_roster_spans_local_days_in_its_queues_time_zone(database: Database) -> None:
    queue = make_queue(database, time_zone="Asia/Shanghai")
    roster = make_roster(database, [queue.id], days=7)
    window = rosters.window_of(roster)
    assert (roster.time_zone, roster.interval_minutes) == ("Asia/Shanghai", 30)
    assert window.start_at == datetime(2026, 12, 6, 16, 0, tzinfo=UTC)
    assert window.end_at == datetime(2026, 12, 13, 16, 0, tzinfo=UTC)
    assert len(window.intervals) == 7 * 48


def test_queues_of_different_time_zones_cannot_share_a_roster(database: Database) -> None:
    first = make_queue(database, name="Chat", time_zone="Asia/Shanghai")
    second = make_queue(database, name="Email", channel="email", time_zone="Europe/London")
    with pytest.raises(InvalidInput, match="share a time zone"):
        make_roster(database, [first.id, second.id])
    with pytest.raises(InvalidInput, match="does not exist"):
        make_roster(database, [first.id + 100])


def test_only_a_manager_creates_a_roster(database: Database) -> None:
    queue = make_queue(database)
    agent = actor_for(make_agent(database))
    data = RosterIn(name="Mine", start_date=MONDAY, queue_ids=[queue.id])
    with database.sessions() as session, pytest.raises(PermissionDenied):
        rosters.create_roster(session, actor=agent, data=data)


def test_an_agent_never_gets_two_shifts_at_once(database: Database) -> None:
    queue = make_queue(database)
    roster = make_roster(database, [queue.id])
    agent = make_agent(database)
    add_shift(database, roster.id, agent.id, at(0, 8), at(0, 16))
    with pytest.raises(Conflict, match="already works"):
        add_shift(database, roster.id, agent.id, at(0, 15), at(0, 20))
    with pytest.raises(InvalidInput, match="within the roster"):
        add_shift(database, roster.id, agent.id, at(7, 8), at(7, 16))
    with database.sessions() as session:
        assert len(rosters.shifts_of(session, roster.id)) == 1


def test_moving_a_shift_moves_its_breaks_and_marks_it_manual(database: Database) -> None:
    queue = make_queue(database)
    roster = make_roster(database, [queue.id])
    agent = make_agent(database)
    with database.unit_of_work(actor=SYSTEM) as session:
        shift = Shift(
            roster_id=roster.id,
            agent_id=agent.id,
            queue_id=queue.id,
            start_at=at(1, 8),
            end_at=at(1, 16),
            breaks=[
                {
                    "kind": "lunch",
                    "start_at": at(1, 12).isoformat(),
                    "end_at": at(1, 12, 30).isoformat(),
                }
            ],
        )
        session.add(shift)
    with database.unit_of_work(actor=SYSTEM) as session:
        moved = rosters.move_shift(session, actor=SYSTEM, shift_id=shift.id, start_at=at(1, 10))
        assert (moved.start_at, moved.end_at, moved.is_manual) == (at(1, 10), at(1, 18), True)
        assert moved.breaks == [
            {
                "kind": "lunch",
                "start_at": at(1, 14).isoformat(),
                "end_at": at(1, 14, 30).isoformat(),
            }
        ]


def test_a_roster_without_shifts_cannot_be_published(database: Database) -> None:
    queue = make_queue(database)
    roster = make_roster(database, [queue.id])
    with pytest.raises(InvalidInput, match="no shifts"):
        publish(database, roster.id)
    agent = make_agent(database)
    add_shift(database, roster.id, agent.id, at(0, 8), at(0, 16))
    publish(database, roster.id)
    with database.sessions() as session:
        assert rosters.get_roster(session, roster.id).status == "published"
        assert [
            s.id for s in rosters.published_shifts_of_agent(session, agent.id, at(0, 0), at(7, 0))
        ]
        [event] = session.scalars(select(Event).where(Event.type == "roster.published")).all()
        assert event.subject_id == str(roster.id)


def test_scheduled_agents_per_interval_leave_breaks_out_and_count_parts(
    database: Database,
) -> None:
    queue = make_queue(database)
    roster = make_roster(database, [queue.id], days=1)
    window = rosters.window_of(roster)
    shift = Shift(
        agent_id=1,
        queue_id=queue.id,
        start_at=at(0, 8, 15),
        end_at=at(0, 10),
        breaks=[
            {"kind": "break", "start_at": at(0, 9).isoformat(), "end_at": at(0, 9, 15).isoformat()}
        ],
    )
    other = Shift(agent_id=2, queue_id=queue.id, start_at=at(0, 8), end_at=at(0, 9), breaks=[])
    row = coverage.scheduled_per_interval([shift, other], window, [queue.id])[queue.id]
    # 08:00 half an agent (from 08:15) + one; 08:30 two; 09:00 half (break to 09:15); 09:30 one
    assert row[16:20] == [1.5, 2.0, 0.5, 1.0]
    assert sum(row) == pytest.approx(5.0)
    assert row[20] == 0.0


def test_shift_input_refuses_a_shift_that_ends_before_it_starts() -> None:
    start = at(0, 8)
    with pytest.raises(ValueError, match="at least 15 minutes"):
        ShiftIn(agent_id=1, start_at=start, end_at=start - timedelta(hours=1))
