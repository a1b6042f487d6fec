"""The demo step: a queue with history and a forecast, templates, rules, profiles, next
week's roster generated and published, and a pending time-off request."""

import pytest
from sqlalchemy import func, select

from kefu.db import Database
from kefu.demo import workforce as demo
from kefu.permissions import Role
from kefu.workforce.models import ForecastRun
from kefu.workforce.scheduling.models import Roster, Shift, ShiftTemplate, TimeOffRequest
from tests.accounts.factories import make_agent

pytestmark = pytest.mark.slow  # a forecast fit and ten seconds of the scheduler


def test_demo_step_builds_a_forecast_and_a_published_roster(database: Database) -> None:
    for i in range(8):
        make_agent(database, email=f"agent{i}@example.com", name=f"Agent {i}")
    make_agent(database, email="manager@example.com", name="Zhou", role=Role.MANAGER)
    assert demo.run(database, 1, lambda n: None) == 4
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ForecastRun)) == 1
        assert session.scalar(select(func.count()).select_from(ShiftTemplate)) == 2
        roster = session.scalars(select(Roster)).one()
        assert roster.status == "published" and roster.start_date.weekday() == 0
        shifts = session.scalar(select(func.count()).select_from(Shift))
        assert shifts >= 20
        assert session.scalars(select(TimeOffRequest.status)).all() == ["pending"]
