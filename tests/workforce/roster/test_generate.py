"""Generating a roster: the tables become a scheduler problem (requirements from the
forecast's staffing, time off, manual shifts kept), the solver's roster is stored as shifts,
and coverage is computed from them."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from kefu.accounts.service import actor_for
from kefu.db import Database
from kefu.errors import Conflict, InvalidInput, PermissionDenied
from kefu.workforce.scheduling import (
    convert,
    coverage,
    generate,
    requests,
    rosters,
    timeline,
)
from kefu.workforce.scheduling.models import Roster
from kefu.workforce.scheduling.schemas import DecisionIn, TimeOffIn
from tests.accounts.factories import make_agent
from tests.workforce.roster.factories import (
    SYSTEM,
    add_shift,
    at,
    forecast_week,
    make_profile,
    make_queue,
    make_roster,
    make_template,
)


def _team(database: Database, queue_id: int, count: int) -> list[int]:
    ids = []
    for i in range(count):
        agent = make_agent(database, email=f"a{i}@example.com", name=f"Agent {i:02d}")
        make_profile(database, agent.id, queue_ids=[queue_id], min_hours_week=0)
        ids.append(agent.id)
    return ids


def _generate(database: Database, roster_id: int, seconds: int = 10) -> Roster:
    with database.unit_of_work(actor=SYSTEM) as session:
        generate.start_generation(
            session, actor=SYSTEM, roster_id=roster_id, time_limit_seconds=seconds
        )
    generate.run_generation(database, roster_id, seconds)
    with database.sessions() as session:
        return rosters.get_roster(session, roster_id)


def test_the_problem_carries_requirements_time_off_and_manual_shifts(
    database: Database,
) -> None:
    queue = make_queue(database, aht_seconds=180)
    forecast_week(database, queue.id)
    make_template(database, start_minutes=[540])
    first, second = _team(database, queue.id, 2)
    roster = make_roster(database, [queue.id], days=2)
    add_shift(database, roster.id, first, at(0, 10), at(0, 18))
    actor = actor_for_agent(database, second)
    with database.unit_of_work(actor=actor) as session:
        day = at(1, 0).date()
        asked = requests.request_time_off(
            session, actor=actor, data=TimeOffIn(first_day=day, last_day=day), time_zone="UTC"
        )
    with database.unit_of_work(actor=SYSTEM) as session:
        requests.decide_time_off(
            session, actor=SYSTEM, request_id=asked.id, data=DecisionIn(approve=True)
        )
    with database.sessions() as session:
        built = convert.build_problem(session, rosters.get_roster(session, roster.id))
    built.validate()
    assert built.horizon.intervals == 96
    by_interval = {r.interval: r.agents for r in built.requirements}
    assert by_interval[18] == 5.0 and 16 not in by_interval  # 09:00 needs 5; 08:00 none
    agents = {a.id: a for a in built.agents}
    assert [(f.start_minute, f.end_minute) for f in agents[first].fixed_shifts] == [(600, 1080)]
    assert [(t.start_minute, t.end_minute) for t in agents[second].time_off] == [(1440, 2880)]
    assert built.templates[0].breaks[0].is_paid is False  # a lunch


def actor_for_agent(database: Database, agent_id: int):  # type: ignore[no-untyped-def]
    from kefu.accounts import service as accounts

    with database.sessions() as session:
        return actor_for(accounts.get_agent(session, agent_id))


def test_a_generated_roster_covers_the_requirement_and_keeps_manual_shifts(
    database: Database,
) -> None:
    queue = make_queue(database, aht_seconds=180)
    forecast_week(database, queue.id)
    make_template(database, start_minutes=[540])  # 09:00–17:00 with a lunch from 12:00–14:00
    team = _team(database, queue.id, 7)
    roster = make_roster(database, [queue.id], days=7)  # a week: 40 h each is prorated below
    manual = add_shift(database, roster.id, team[0], at(0, 9), at(0, 17))
    done = _generate(database, roster.id)
    assert done.status == "draft" and done.progress == {}
    assert done.solver["status"] in ("optimal", "feasible")
    with database.sessions() as session:
        shifts = rosters.shifts_of(session, roster.id)
        cover = coverage.roster_coverage(session, done)
    assert manual.id in {s.id for s in shifts}
    per_day: dict[tuple[int, object], int] = {}
    for shift in shifts:
        key = (shift.agent_id, shift.start_at.date())
        per_day[key] = per_day.get(key, 0) + 1
    assert max(per_day.values()) == 1  # one shift a day each
    generated = [s for s in shifts if not s.is_manual]
    assert all(len(s.breaks) == 1 and s.breaks[0]["kind"] == "lunch" for s in generated)
    # 5 agents 09:00–17:00 on weekdays: 7 agents of 37.5 paid hours cover it, lunches staggered
    assert cover.shortfall_hours == done.solver["shortfall_agent_hours"] == 0.0
    assert cover.short_intervals == 0
    # generating again keeps the manual shift and replaces the rest
    again = _generate(database, roster.id)
    with database.sessions() as session:
        kept = rosters.shifts_of(session, roster.id)
    assert manual.id in {s.id for s in kept} and again.solver["status"] in ("optimal", "feasible")


def test_generation_is_refused_when_it_cannot_run(database: Database) -> None:
    queue = make_queue(database)
    roster = make_roster(database, [queue.id], days=1)
    with database.sessions() as session, pytest.raises(InvalidInput, match="shift template"):
        generate.start_generation(session, actor=SYSTEM, roster_id=roster.id, time_limit_seconds=5)
    make_template(database)
    with database.sessions() as session, pytest.raises(InvalidInput, match="1 to 600"):
        generate.start_generation(session, actor=SYSTEM, roster_id=roster.id, time_limit_seconds=0)
    agent = actor_for(make_agent(database))
    with database.sessions() as session, pytest.raises(PermissionDenied):
        generate.start_generation(session, actor=agent, roster_id=roster.id, time_limit_seconds=5)
    with database.unit_of_work(actor=SYSTEM) as session:
        generate.start_generation(session, actor=SYSTEM, roster_id=roster.id, time_limit_seconds=5)
    with database.sessions() as session, pytest.raises(Conflict, match="already"):
        generate.start_generation(session, actor=SYSTEM, roster_id=roster.id, time_limit_seconds=5)
    # nobody has a profile: the run ends with the reason, and the roster is a draft again
    generate.run_generation(database, roster.id, 5)
    with database.sessions() as session:
        done = session.scalar(select(Roster).where(Roster.id == roster.id))
        assert (done.status, done.solver["status"]) == ("draft", "error")
        assert "work profile" in done.solver["message"]


def test_over_constrained_rules_are_named(database: Database) -> None:
    queue = make_queue(database, aht_seconds=180)
    forecast_week(database, queue.id)
    make_template(database, start_minutes=[540])
    [agent_id] = _team(database, queue.id, 1)
    make_profile(database, agent_id, queue_ids=[queue.id], min_hours_week=60, max_hours_week=60)
    roster = make_roster(database, [queue.id], days=7)
    done = _generate(database, roster.id, seconds=5)
    assert done.solver["status"] == "infeasible"
    assert done.solver["conflicts"], "an infeasible roster names its conflicts"
    assert {c["rule"] for c in done.solver["conflicts"]} & {
        "contract_minutes", "max_minutes_per_week"
    }  # fmt: skip
    shown = timeline.describe_conflicts(
        done.solver["conflicts"], start_date=roster.start_date, interval_minutes=30,
        agents={agent_id: "Agent 00"}, queues={queue.id: "Chat"},
    )  # fmt: skip
    assert any(
        c["rule"] in ("Contract hours", "Most hours a week") and "Agent 00" in c["where"]
        for c in shown
    )


def test_utc_window_and_problem_minutes_agree() -> None:
    from kefu.workforce.scheduling.problem import Horizon

    horizon = Horizon(start_date=at(0, 0).date(), days=1, interval_minutes=30, time_zone="UTC")
    assert horizon.at(540) == datetime(2026, 12, 7, 9, tzinfo=UTC)
