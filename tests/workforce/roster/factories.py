"""Scheduling test data, made through the services: queues, templates, profiles, rosters,
shifts and status changes."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from kefu.accounts.models import Agent
from kefu.accounts.service import actor_for
from kefu.automation.assignment import service as assignment
from kefu.automation.assignment.schemas import AgentStatusValue
from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.permissions import Role
from kefu.workforce import queues
from kefu.workforce.models import WorkforceQueue
from kefu.workforce.scheduling import rosters, setup
from kefu.workforce.scheduling.models import Roster, Shift, ShiftTemplate, WorkProfile
from kefu.workforce.scheduling.schemas import (
    BreakRuleIn,
    RosterIn,
    ShiftIn,
    ShiftTemplateIn,
    WorkProfileIn,
)
from kefu.workforce.schemas import QueueIn
from tests.accounts.factories import make_agent

SYSTEM = Actor.system()
MONDAY = date(2026, 12, 7)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A UTC time counted from MONDAY (day 0 = Monday 7 December 2026)."""
    return datetime(2026, 12, 7, hour, minute, tzinfo=UTC) + timedelta(days=day)


def later(day: int, hour: int) -> datetime:
    """A UTC time far ahead (day 0 = Monday 5 January 2099): shifts that have not started."""
    return datetime(2099, 1, 5, hour, tzinfo=UTC) + timedelta(days=day)


def make_manager(database: Database, email: str = "lead@example.com") -> Agent:
    return make_agent(database, email=email, name="Lena Lead", role=Role.MANAGER)


def make_queue(database: Database, **values: Any) -> WorkforceQueue:
    data = QueueIn(**{"name": "Chat", "channel": "chat", "interval_minutes": 30, **values})
    with database.unit_of_work(actor=SYSTEM) as session:
        return queues.create_queue(session, actor=SYSTEM, data=data)


def make_template(database: Database, **values: Any) -> ShiftTemplate:
    data = ShiftTemplateIn(
        **{
            "name": "Day",
            "start_minutes": [8 * 60, 9 * 60],
            "length_minutes": 8 * 60,
            "breaks": [BreakRuleIn(kind="lunch", minutes=30, earliest=180, latest=300)],
            **values,
        }
    )
    with database.unit_of_work(actor=SYSTEM) as session:
        return setup.save_template(session, actor=SYSTEM, data=data)


def make_profile(database: Database, agent_id: int, **values: Any) -> WorkProfile:
    with database.unit_of_work(actor=SYSTEM) as session:
        return setup.save_work_profile(
            session, actor=SYSTEM, agent_id=agent_id, data=WorkProfileIn(**values)
        )


def make_roster(database: Database, queue_ids: list[int], **values: Any) -> Roster:
    data = RosterIn(**{"name": "Week 50", "start_date": MONDAY, "queue_ids": queue_ids, **values})
    with database.unit_of_work(actor=SYSTEM) as session:
        return rosters.create_roster(session, actor=SYSTEM, data=data)


def add_shift(
    database: Database, roster_id: int, agent_id: int, start_at: datetime, end_at: datetime
) -> Shift:
    data = ShiftIn(agent_id=agent_id, start_at=start_at, end_at=end_at)
    with database.unit_of_work(actor=SYSTEM) as session:
        return rosters.add_shift(session, actor=SYSTEM, roster_id=roster_id, data=data)


def publish(database: Database, roster_id: int) -> None:
    with database.unit_of_work(actor=SYSTEM) as session:
        rosters.publish_roster(session, actor=SYSTEM, roster_id=roster_id)


def set_status(database: Database, agent: Agent, status: str) -> None:
    actor = actor_for(agent)
    with database.unit_of_work(actor=actor) as session:
        assignment.set_status(
            session, actor=actor, agent_id=agent.id, status=AgentStatusValue(status)
        )


def office_hours(moment: datetime) -> int:
    """Contacts per half hour: 12 from 09:00 to 17:00 UTC on weekdays, none otherwise."""
    return 12 if moment.weekday() < 5 and 9 <= moment.hour < 17 else 0


def forecast_week(database: Database, queue_id: int, contacts: Any = office_hours) -> None:
    """Three weeks of imported history before MONDAY (a forecast counts history from the
    first contact), and a seasonal-naive forecast from it."""
    from tests.workforce.forecast.factories import forecast_now, history_csv, import_text

    start = datetime(2026, 11, 16, tzinfo=UTC)
    text = history_csv(start=start, days=21, contacts=contacts, aht_seconds=180)
    import_text(database, queue_id=queue_id, text=text, now=at(0, 0))
    forecast_now(database, queue_id=queue_id, now=at(0, 0), weeks=1)


def required(database: Database, roster: Roster) -> dict:
    from kefu.workforce.scheduling import demand

    window = rosters.window_of(roster)
    with database.sessions() as session:
        return demand.required_agents(
            session, queue_ids=roster.queue_ids, start_at=window.start_at, end_at=window.end_at
        )
