"""Shift templates, labour rules and work profiles: saved through the services, refused
with a reason when wrong, and only by someone allowed to manage the workforce."""

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from kefu.accounts.service import actor_for
from kefu.db import Database
from kefu.errors import Conflict, InvalidInput, PermissionDenied
from kefu.workforce.scheduling import setup
from kefu.workforce.scheduling.models import ShiftTemplate
from kefu.workforce.scheduling.schemas import (
    BreakRuleIn,
    LabourRulesIn,
    ShiftTemplateIn,
    WorkProfileIn,
)
from tests.accounts.factories import make_agent
from tests.workforce.roster.factories import make_profile, make_queue, make_template


def test_a_template_keeps_its_starts_sorted_and_breaks_in_order(database: Database) -> None:
    template = make_template(
        database,
        start_minutes=[600, 480, 480],
        breaks=[
            BreakRuleIn(kind="break", minutes=15, earliest=360, latest=400),
            BreakRuleIn(kind="lunch", minutes=30, earliest=180, latest=300),
        ],
    )
    assert template.start_minutes == [480, 600]
    assert [b["kind"] for b in template.breaks] == ["lunch", "break"]
    assert template.weekdays == [0, 1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"start_minutes": [1440]}, "start times are between"),
        ({"length_minutes": 30}, "greater than or equal to 60"),
        (
            {"breaks": [BreakRuleIn(kind="lunch", minutes=60, earliest=400, latest=450)]},
            "must end before the shift",
        ),
        (
            {
                "breaks": [
                    BreakRuleIn(kind="lunch", minutes=30, earliest=120, latest=200),
                    BreakRuleIn(kind="break", minutes=15, earliest=210, latest=300),
                ]
            },
            "overlap",
        ),
    ],
)
def test_a_broken_template_is_refused_with_the_reason(values: dict, reason: str) -> None:
    base = {"name": "Day", "start_minutes": [480], "length_minutes": 480}
    with pytest.raises(ValidationError, match=reason):
        ShiftTemplateIn(**{**base, **values})


def test_two_templates_cannot_share_a_name(database: Database) -> None:
    make_template(database)
    with pytest.raises(Conflict):
        make_template(database)
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ShiftTemplate)) == 1


def test_an_agent_cannot_set_up_shifts(database: Database) -> None:
    agent = actor_for(make_agent(database))
    data = ShiftTemplateIn(name="Day", start_minutes=[480], length_minutes=480)
    with database.sessions() as session, pytest.raises(PermissionDenied):
        setup.save_template(session, actor=agent, data=data)
    with database.sessions() as session, pytest.raises(PermissionDenied):
        setup.save_rules(session, actor=agent, data=LabourRulesIn(name="Site"))


def test_a_work_profile_names_known_queues_and_templates(database: Database) -> None:
    queue = make_queue(database)
    template = make_template(database)
    agent = make_agent(database)
    profile = make_profile(
        database,
        agent.id,
        queue_ids=[queue.id],
        min_hours_week=20,
        max_hours_week=32,
        preferred_template_ids=[template.id],
        preferred_days_off=[6, 5],
    )
    assert (profile.queue_ids, profile.preferred_days_off) == ([queue.id], [5, 6])
    with pytest.raises(InvalidInput, match="queue"):
        make_profile(database, agent.id, queue_ids=[queue.id + 99])
    with pytest.raises(InvalidInput, match="template"):
        make_profile(database, agent.id, queue_ids=[queue.id], forbidden_template_ids=[999])
    with database.sessions() as session:
        assert setup.work_profile(session, agent.id).max_hours_week == 32  # unchanged


def test_contract_hours_must_make_sense() -> None:
    with pytest.raises(ValidationError, match="minimum hours exceed"):
        WorkProfileIn(min_hours_week=40, max_hours_week=20)
