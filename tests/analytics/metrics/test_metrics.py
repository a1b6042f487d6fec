"""Each metric of a ticket built through the real services at chosen moments, against
figures computed by hand (business hours: London, Monday to Friday 09:00–18:00, GMT)."""

from kefu.db import Database
from tests.analytics.metrics.factories import (
    FakeClock,
    agent,
    agent_replies,
    change,
    check_sla,
    clock,
    customer_writes,
    metrics_of,
    rate,
    run_handlers,
)
from tests.sla.factories import make_policy, make_schedule, make_team, targets

__all__ = ["clock"]

HOUR = 3600


def test_a_ticket_with_pending_on_hold_a_reopen_and_a_new_assignee(
    database: Database, clock: FakeClock
) -> None:
    team = make_team(database, "Support")
    make_schedule(database, team_ids=[team])
    make_policy(database, hours="business", targets=targets(first_reply=60, resolution=480))
    ann = agent(database, "ann@example.com", "Ann")
    bob = agent(database, "bob@example.com", "Bob")
    ann_id, bob_id = int(ann.ref.split(":")[1]), int(bob.ref.split(":")[1])
    # Monday 08:00: the customer writes; the ticket goes to Ann in Support at once
    clock.at(2, 8)
    ticket = customer_writes(database)
    change(database, ticket, team_id=team, assignee_id=ann_id)
    run_handlers(database)
    # 10:15: the first reply (due 10:00 in business hours) is late
    check_sla(database, clock.at(2, 10, 15))
    # 10:30 Ann replies; 11:00 the ticket waits on the customer
    clock.at(2, 10, 30)
    agent_replies(database, ann, ticket)
    clock.at(2, 11)
    change(database, ticket, status="pending")
    run_handlers(database)
    # Tuesday 09:00 the customer answers (pending -> open); 09:20 Bob takes over, replies
    clock.at(3, 9)
    customer_writes(database, ticket)
    clock.at(3, 9, 20)
    change(database, ticket, assignee_id=bob_id)
    clock.at(3, 9, 30)
    agent_replies(database, bob, ticket)
    # 10:00 on hold, 12:00 open again, 13:00 solved
    clock.at(3, 10)
    change(database, ticket, status="on_hold")
    clock.at(3, 12)
    change(database, ticket, status="open")
    clock.at(3, 13)
    change(database, ticket, status="solved")
    run_handlers(database)
    # Wednesday 09:00 the customer writes again (a reopen); 10:00 Bob replies, 11:00 solved
    clock.at(4, 9)
    customer_writes(database, ticket)
    clock.at(4, 10)
    agent_replies(database, bob, ticket)
    clock.at(4, 11)
    change(database, ticket, status="solved")
    run_handlers(database)
    # 12:00 the customer rates it good
    rate(database, ticket, "good", clock.at(4, 12))
    run_handlers(database)

    m = metrics_of(database, ticket)
    # first reply: Monday 08:00 -> 10:30; business hours from 09:00
    assert (m.first_reply_seconds, m.first_reply_business) == (2.5 * HOUR, 1.5 * HOUR)
    # next replies: Tue 09:00 -> 09:30, Wed 09:00 -> 10:00
    assert m.next_replies == [[1800, 1800], [HOUR, HOUR]]
    assert (m.next_reply_count, m.next_reply_seconds, m.next_reply_business) == (2, 5400, 5400)
    # full resolution: Mon 08:00 -> Wed 11:00 = 51 h; business 9 + 9 + 2 = 20 h
    assert (m.resolution_seconds, m.resolution_business) == (51 * HOUR, 20 * HOUR)
    # open: Mon 08–11 (3 h; 2 h business), Tue 09–10, 12–13, Wed 09–11
    assert (m.agent_work_seconds, m.agent_work_business) == (7 * HOUR, 6 * HOUR)
    # on hold Tue 10–12; pending Mon 11:00 -> Tue 09:00 (22 h; business Mon 11–18)
    assert (m.on_hold_seconds, m.on_hold_business) == (2 * HOUR, 2 * HOUR)
    assert (m.agent_wait_seconds, m.agent_wait_business) == (22 * HOUR, 7 * HOUR)
    # requester wait: new + open + on hold
    assert (m.requester_wait_seconds, m.requester_wait_business) == (9 * HOUR, 8 * HOUR)
    assert (m.replies, m.customer_messages, m.reopens) == (3, 3, 1)
    assert (m.assignee_hops, m.team_hops) == (1, 0)
    assert (m.one_touch, m.first_contact) == (False, False)
    assert m.sla == {"first_reply": "breached", "resolution": "achieved"}
    assert (m.sla_achieved, m.sla_breached) == (1, 1)
    assert m.csat == "good"
    assert (m.status, m.is_open, m.team_id, m.assignee_id) == ("solved", False, team, bob_id)
    assert m.channel == "email"


def test_one_reply_then_solved_is_one_touch_and_first_contact(
    database: Database, clock: FakeClock
) -> None:
    ann = agent(database, "ann@example.com", "Ann")
    clock.at(2, 20)  # Monday evening: no schedule at all, so business = calendar
    ticket = customer_writes(database)
    clock.at(2, 20, 45)
    agent_replies(database, ann, ticket, kind="note")  # a note is not a reply
    clock.at(2, 21)
    agent_replies(database, ann, ticket)
    clock.at(2, 21, 5)
    change(database, ticket, status="solved")
    run_handlers(database)
    m = metrics_of(database, ticket)
    assert (m.first_reply_seconds, m.first_reply_business) == (HOUR, HOUR)
    assert (m.resolution_seconds, m.replies) == (HOUR + 300, 1)
    assert (m.one_touch, m.first_contact, m.reopens) == (True, True, False)
    assert m.next_replies == [] and m.sla == {} and m.csat is None


def test_team_hops_count_moves_between_teams_not_the_first_team(
    database: Database, clock: FakeClock
) -> None:
    first, second = make_team(database, "Sales"), make_team(database, "Returns")
    clock.at(2, 9)
    ticket = customer_writes(database)
    change(database, ticket, team_id=first)
    clock.at(2, 10)
    change(database, ticket, team_id=second)
    clock.at(2, 11)
    change(database, ticket, team_id=first)
    run_handlers(database)
    m = metrics_of(database, ticket)
    assert (m.team_hops, m.assignee_hops, m.team_id) == (2, 0, first)
    assert m.first_reply_seconds is None and m.is_open


def test_a_customer_follow_up_spoils_first_contact_but_not_one_touch(
    database: Database, clock: FakeClock
) -> None:
    ann = agent(database, "ann@example.com", "Ann")
    clock.at(2, 9)
    ticket = customer_writes(database)
    clock.at(2, 9, 10)
    agent_replies(database, ann, ticket)
    clock.at(2, 9, 20)
    customer_writes(database, ticket, text="Thanks!")
    clock.at(2, 9, 30)
    change(database, ticket, status="solved")
    run_handlers(database)
    m = metrics_of(database, ticket)
    assert (m.one_touch, m.first_contact) == (True, False)
    # the customer's thanks is still waiting for a reply: no next reply time
    assert m.next_reply_count == 0


def test_a_metrics_row_held_in_the_session_reads_what_refresh_wrote(
    database: Database, clock: FakeClock
) -> None:
    """refresh writes plain rows: a copy another handler of the batch holds is expired."""
    from sqlalchemy import select

    from kefu.analytics import service
    from kefu.analytics.models import TicketMetrics

    clock.at(2, 10)
    ticket = customer_writes(database)
    run_handlers(database)
    change(database, ticket, status="pending")
    with database.unit_of_work() as session:
        held = session.scalars(select(TicketMetrics).where(TicketMetrics.ticket_id == ticket)).one()
        assert held.status == "new"
        assert service.refresh(session, [ticket]) == 1
        assert held.status == "pending"
        assert service.refresh(session, [ticket]) == 0
    assert metrics_of(database, ticket).status == "pending"
