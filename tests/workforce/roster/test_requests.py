"""Time off and swaps: asked by agents, decided by managers; approving time off takes the
agent off their shifts and coverage drops by exactly that; refusals change nothing."""

import pytest
from sqlalchemy import select

from kefu.accounts import service as accounts
from kefu.accounts.service import actor_for
from kefu.compliance.models import AuditEntry
from kefu.db import Database
from kefu.errors import Conflict, InvalidInput, PermissionDenied
from kefu.kit.actor import Actor
from kefu.workforce.scheduling import coverage, requests, rosters
from kefu.workforce.scheduling.schemas import DecisionIn, SwapIn, TimeOffIn
from tests.accounts.factories import make_agent
from tests.workforce.roster.factories import (
    SYSTEM,
    add_shift,
    at,
    forecast_week,
    later,
    make_manager,
    make_profile,
    make_queue,
    make_roster,
    publish,
)


def _actor(database: Database, agent_id: int) -> Actor:
    with database.sessions() as session:
        return actor_for(accounts.get_agent(session, agent_id))


def _ask(database: Database, actor: Actor, first: int, last: int | None = None) -> int:
    data = TimeOffIn(first_day=at(first, 0).date(), last_day=at(last or first, 0).date())
    with database.unit_of_work(actor=actor) as session:
        return requests.request_time_off(session, actor=actor, data=data, time_zone="UTC").id


def _decide(database: Database, actor: Actor, request_id: int, approve: bool) -> None:
    with database.unit_of_work(actor=actor) as session:
        requests.decide_time_off(
            session, actor=actor, request_id=request_id, data=DecisionIn(approve=approve)
        )


def test_approving_time_off_removes_the_shifts_and_coverage_drops(database: Database) -> None:
    queue = make_queue(database, aht_seconds=180)
    forecast_week(database, queue.id)
    ann = make_agent(database, email="ann@example.com", name="Ann")
    roster = make_roster(database, [queue.id])
    tuesday = add_shift(database, roster.id, ann.id, at(1, 9), at(1, 17))
    wednesday = add_shift(database, roster.id, ann.id, at(2, 9), at(2, 17))
    publish(database, roster.id)
    manager = actor_for(make_manager(database))
    request_id = _ask(database, _actor(database, ann.id), 1)
    with database.sessions() as session:
        before = coverage.roster_coverage(session, rosters.get_roster(session, roster.id))
        impact = requests.time_off_impact(session, requests.get_time_off(session, request_id))
    assert impact.shift_ids == {tuesday.id}
    [(name, short_before, short_after, _)] = impact.rosters
    assert (name, short_after - short_before) == ("Week 50", 8.0)  # 16 intervals × 1 agent × ½ h
    assert impact.worsens
    _decide(database, manager, request_id, approve=True)
    with database.sessions() as session:
        after = coverage.roster_coverage(session, rosters.get_roster(session, roster.id))
        assert [s.id for s in rosters.shifts_of(session, roster.id)] == [wednesday.id]
        decided = requests.get_time_off(session, request_id)
        assert (decided.status, decided.decided_by_id) == ("approved", manager.agent_id)
        audited = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == "time_off_requests")
        ).all()
        assert audited
    assert after.shortfall_hours - before.shortfall_hours == 8.0
    tuesday_nine = 48 + 18
    assert before.cells[queue.id][tuesday_nine].scheduled == 1.0
    assert after.cells[queue.id][tuesday_nine].scheduled == 0.0
    assert after.cells[queue.id][tuesday_nine].required == 5


def test_denying_time_off_changes_nothing(database: Database) -> None:
    queue = make_queue(database)
    ann = make_agent(database, email="ann@example.com")
    roster = make_roster(database, [queue.id])
    add_shift(database, roster.id, ann.id, at(1, 9), at(1, 17))
    request_id = _ask(database, _actor(database, ann.id), 1)
    _decide(database, SYSTEM, request_id, approve=False)
    with database.sessions() as session:
        assert len(rosters.shifts_of(session, roster.id)) == 1
        assert requests.get_time_off(session, request_id).status == "denied"
    with pytest.raises(Conflict, match="already been decided"):
        _decide(database, SYSTEM, request_id, approve=True)


def test_only_managers_decide_and_only_the_asker_cancels(database: Database) -> None:
    ann = _actor(database, make_agent(database, email="ann@example.com").id)
    bob = _actor(database, make_agent(database, email="bob@example.com").id)
    request_id = _ask(database, ann, 3, 4)
    with pytest.raises(PermissionDenied):
        _decide(database, bob, request_id, approve=True)
    with database.sessions() as session, pytest.raises(PermissionDenied):
        requests.cancel_time_off(session, actor=bob, request_id=request_id)
    with pytest.raises(Conflict, match="already asked"):
        _ask(database, ann, 4)  # overlaps the pending request
    with database.unit_of_work(actor=ann) as session:
        requests.cancel_time_off(session, actor=ann, request_id=request_id)
    assert _ask(database, ann, 4) != request_id  # a cancelled request no longer blocks
    day = at(0, 0).date()
    with database.sessions() as session, pytest.raises(PermissionDenied):
        requests.request_time_off(
            session, actor=SYSTEM, data=TimeOffIn(first_day=day, last_day=day), time_zone="UTC"
        )


def _swap_setup(database: Database) -> tuple:
    queue = make_queue(database)
    other_queue = make_queue(database, name="Email", channel="email")
    ann = make_agent(database, email="ann@example.com", name="Ann")
    bob = make_agent(database, email="bob@example.com", name="Bob")
    roster = make_roster(database, [queue.id], start_date=later(0, 0).date())
    mine = add_shift(database, roster.id, ann.id, later(1, 9), later(1, 17))
    theirs = add_shift(database, roster.id, bob.id, later(2, 9), later(2, 17))
    publish(database, roster.id)
    return queue, other_queue, ann, bob, mine, theirs


def test_an_approved_swap_exchanges_the_shifts(database: Database) -> None:
    _, _, ann, bob, mine, theirs = _swap_setup(database)
    asker = _actor(database, ann.id)
    data = SwapIn(shift_id=mine.id, other_agent_id=bob.id, other_shift_id=theirs.id)
    with database.unit_of_work(actor=asker) as session:
        swap = requests.request_swap(session, actor=asker, data=data)
    with database.unit_of_work(actor=asker) as session, pytest.raises(Conflict):
        requests.request_swap(session, actor=asker, data=data)
    with database.unit_of_work(actor=SYSTEM) as session:
        requests.decide_swap(session, actor=SYSTEM, swap_id=swap.id, data=DecisionIn(approve=True))
    with database.sessions() as session:
        assert rosters.get_shift(session, mine.id).agent_id == bob.id
        assert rosters.get_shift(session, theirs.id).agent_id == ann.id
        assert requests.get_swap(session, swap.id).status == "approved"


def test_a_swap_is_refused_when_it_cannot_work(database: Database) -> None:
    _, other_queue, ann, bob, mine, theirs = _swap_setup(database)
    asker = _actor(database, ann.id)
    with database.sessions() as session, pytest.raises(PermissionDenied):
        requests.request_swap(
            session, actor=asker, data=SwapIn(shift_id=theirs.id, other_agent_id=bob.id)
        )
    with database.sessions() as session, pytest.raises(InvalidInput, match="yourself"):
        requests.request_swap(
            session, actor=asker, data=SwapIn(shift_id=mine.id, other_agent_id=ann.id)
        )
    # Bob serves only email: giving him a chat shift is refused at approval, nothing changes
    make_profile(database, bob.id, queue_ids=[other_queue.id])
    with database.unit_of_work(actor=asker) as session:
        swap = requests.request_swap(
            session, actor=asker, data=SwapIn(shift_id=mine.id, other_agent_id=bob.id)
        )
    with database.sessions() as session, pytest.raises(Conflict, match="queue"):
        requests.decide_swap(session, actor=SYSTEM, swap_id=swap.id, data=DecisionIn(approve=True))
    with database.sessions() as session:
        assert rosters.get_shift(session, mine.id).agent_id == ann.id
        assert requests.get_swap(session, swap.id).status == "pending"


def test_a_started_shift_cannot_be_swapped(database: Database) -> None:
    queue = make_queue(database)
    ann = make_agent(database, email="ann@example.com")
    bob = make_agent(database, email="bob@example.com")
    roster = make_roster(database, [queue.id], start_date=at(-14, 0).date())
    past = add_shift(database, roster.id, ann.id, at(-14, 9), at(-14, 17))
    asker = _actor(database, ann.id)
    with database.sessions() as session, pytest.raises(InvalidInput, match="already started"):
        requests.request_swap(
            session, actor=asker, data=SwapIn(shift_id=past.id, other_agent_id=bob.id)
        )
