"""Adherence and conformance on hand-computed cases, and the status log they read, filled
from `agent.status_changed` by the outbox handler (once, however often it runs)."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.events import Event
from kefu.workforce.scheduling import adherence, status_log
from kefu.workforce.scheduling.jobs import on_agent_status
from kefu.workforce.scheduling.models import AgentStatusLog
from tests.accounts.factories import make_agent
from tests.workforce.roster.factories import set_status


def t(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 7, hour, minute, tzinfo=UTC)


def test_an_agent_online_exactly_as_scheduled_is_fully_adherent() -> None:
    figures = adherence.measure(
        1,
        working=[(t(9), t(12)), (t(12, 30), t(17))],
        timeline=[
            (t(0), "offline"),
            (t(9), "online"),
            (t(12), "away"),
            (t(12, 30), "online"),
            (t(17), "offline"),
        ],
        start_at=t(0),
        now=t(18),
    )
    assert figures.scheduled_seconds == 7.5 * 3600
    assert figures.adherence == 1.0
    assert figures.conformance == 1.0
    assert not figures.out_of_adherence_now


def test_late_start_and_overtime_split_adherence_from_conformance() -> None:
    # scheduled 09:00–17:00 (8 h); online 09:30–18:00 (8.5 h), of which 7.5 h in schedule
    figures = adherence.measure(
        1,
        working=[(t(9), t(17))],
        timeline=[(t(0), "offline"), (t(9, 30), "online")],
        start_at=t(0),
        now=t(18),
    )
    assert figures.adherence == pytest.approx(7.5 / 8)
    assert figures.conformance == pytest.approx(8.5 / 8)
    assert figures.out_of_adherence_now  # online, not scheduled


def test_only_time_up_to_now_counts() -> None:
    # at 11:00 of a 09:00–17:00 shift, away since 10:00: 1 of 2 scheduled hours adherent
    figures = adherence.measure(
        1,
        working=[(t(9), t(17))],
        timeline=[(t(8), "online"), (t(10), "away")],
        start_at=t(0),
        now=t(11),
    )
    assert figures.scheduled_seconds == 2 * 3600
    assert figures.adherence == 0.5
    assert figures.conformance == pytest.approx(2 / 2)  # online 08:00–10:00
    assert figures.is_scheduled_now and not figures.is_online_now


def test_no_schedule_means_no_ratio() -> None:
    figures = adherence.measure(1, working=[], timeline=[(t(0), "online")], start_at=t(0), now=t(1))
    assert (figures.adherence, figures.conformance) == (None, None)


def test_status_changes_are_logged_once_and_read_back_as_a_timeline(database: Database) -> None:
    agent = make_agent(database)
    set_status(database, agent, "online")
    set_status(database, agent, "away")
    dispatch_due(database)
    with database.unit_of_work() as session:
        # the handler run again (a retried delivery) writes nothing new
        for event in session.scalars(select(Event).where(Event.type == "agent.status_changed")):
            on_agent_status(session, event)
    with database.sessions() as session:
        rows = session.scalars(select(AgentStatusLog).order_by(AgentStatusLog.id)).all()
        assert [r.status for r in rows] == ["online", "away"]
        first, second = rows[0].changed_at, rows[1].changed_at
        opening = first - timedelta(seconds=1)
        line = status_log.timelines(session, [agent.id], opening, datetime(2100, 1, 1, tzinfo=UTC))
        assert line[agent.id] == [(opening, "offline"), (first, "online"), (second, "away")]
        before = status_log.timelines(session, [agent.id], datetime(2000, 1, 1, tzinfo=UTC), first)
        assert before[agent.id] == [(datetime(2000, 1, 1, tzinfo=UTC), "offline")]
