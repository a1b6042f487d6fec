"""Each assignment method picks an online member under capacity; manual never picks."""

from kefu.automation.assignment.schemas import AgentStatusValue, Method
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.kit.actor import Actor
from kefu.tickets import service as tickets
from kefu.tickets.messages import list_messages
from kefu.tickets.schemas import TicketUpdate
from tests.automation.assign_factories import configure, make_team, set_status
from tests.tickets.factories import make_ticket


def _assignees(database: Database, ticket_ids: list[int]) -> list[int | None]:
    with database.unit_of_work() as session:
        return [tickets.get_ticket(session, t).assignee_id for t in ticket_ids]


def _notes(database: Database, ticket_id: int) -> list[str]:
    with database.unit_of_work() as session:
        return [
            m.body_text
            for m in list_messages(session, ticket_id)
            if m.kind == "note" and m.author_type == "system"
        ]


def _new_tickets(database: Database, team_id: int, count: int) -> list[int]:
    ids = [
        make_ticket(database, subject=f"T{n}", text=None, team_id=team_id).id for n in range(count)
    ]
    dispatch_due(database)
    return ids


def test_round_robin_gives_each_online_member_a_turn(database: Database) -> None:
    # given: three members, the middle one away
    team_id, (a, b, c) = make_team(database, members=3)
    set_status(database, b, AgentStatusValue.AWAY)
    # when
    ids = _new_tickets(database, team_id, 6)
    # then
    assert _assignees(database, ids) == [a, c, a, c, a, c]


def test_round_robin_is_fair_over_many_tickets(database: Database) -> None:
    # given
    team_id, members = make_team(database, members=4)
    # when
    assignees = _assignees(database, _new_tickets(database, team_id, 40))
    # then
    assert {agent: assignees.count(agent) for agent in members} == dict.fromkeys(members, 10)
    assert assignees[:8] == members + members


def test_least_loaded_picks_the_fewest_open_then_the_longest_waiting(database: Database) -> None:
    # given: a already holds two open tickets (assigned by hand)
    team_id, (a, b, c) = make_team(database, members=3, method=Method.LEAST_LOADED)
    for _ in range(2):
        make_ticket(database, assignee_id=a)
    # when
    first, second, third, fourth = _new_tickets(database, team_id, 4)
    # then: b and c tie at 0 (b by id), then c waited longest, then b and c tie at 1 again
    assert _assignees(database, [first, second, third]) == [b, c, b]
    assert _assignees(database, [fourth]) == [c]


def test_capacity_is_respected_and_the_wait_is_explained_once(database: Database) -> None:
    # given: a team default of 1 open ticket, b may hold 2
    team_id, (a, b) = make_team(database, members=2, method=Method.LEAST_LOADED)
    configure(database, team_id, method=Method.LEAST_LOADED, default_capacity=1, capacities={b: 2})
    # when
    ids = _new_tickets(database, team_id, 4)
    dispatch_due(database)
    with database.unit_of_work(actor=Actor.system()) as session:
        tickets.update_ticket(  # an update of the waiting ticket runs the handler again
            session, actor=Actor.system(), ticket_id=ids[3], data=TicketUpdate(priority="high")
        )
    dispatch_due(database)
    # then
    assert _assignees(database, ids) == [a, b, b, None]
    assert _notes(database, ids[3]) == [
        "Waiting in the team queue: every online team member is at capacity."
    ]


def test_offline_and_away_members_get_nothing_until_one_comes_online(database: Database) -> None:
    # given
    team_id, (a, b) = make_team(database, members=2, online=0)
    set_status(database, b, AgentStatusValue.AWAY)
    (waiting,) = _new_tickets(database, team_id, 1)
    # when
    before = _assignees(database, [waiting])
    set_status(database, a, AgentStatusValue.ONLINE)
    dispatch_due(database)
    # then
    assert before == [None]
    assert _notes(database, waiting) == ["Waiting in the team queue: no team member is online."]
    assert _assignees(database, [waiting]) == [a]


def test_a_solved_ticket_makes_room_for_a_waiting_one(database: Database) -> None:
    # given
    team_id, (a,) = make_team(database, members=1, default_capacity=1)
    first, second = _new_tickets(database, team_id, 2)
    # when
    with database.unit_of_work(actor=Actor.system()) as session:
        tickets.update_ticket(
            session, actor=Actor.system(), ticket_id=first, data=TicketUpdate(status="solved")
        )
    dispatch_due(database)
    # then
    assert _assignees(database, [first, second]) == [a, a]


def test_a_manual_team_is_never_assigned(database: Database) -> None:
    # given
    team_id, _members = make_team(database, members=2, method=Method.MANUAL)
    # when
    ids = _new_tickets(database, team_id, 2)
    # then
    assert _assignees(database, ids) == [None, None]
    assert _notes(database, ids[0]) == []


def test_a_team_set_by_a_rule_later_gets_an_agent(database: Database) -> None:
    # given: a ticket without a team, then moved to the team (as a trigger does)
    team_id, (a,) = make_team(database, members=1)
    ticket = make_ticket(database)
    dispatch_due(database)
    # when
    with database.unit_of_work(actor=Actor.system()) as session:
        tickets.update_ticket(
            session, actor=Actor.system(), ticket_id=ticket.id, data=TicketUpdate(team_id=team_id)
        )
    dispatch_due(database)
    # then
    assert _assignees(database, [ticket.id]) == [a]


def test_an_escalated_ticket_goes_to_a_member_of_its_new_team(database: Database) -> None:
    # given: a ticket held by a Tier 1 agent, then moved to Tier 2 (a rule's "assign to team")
    _tier1, (first_line,) = make_team(database, name="Tier 1", members=1, method=Method.MANUAL)
    tier2, (expert,) = make_team(database, name="Tier 2", members=1)
    ticket = make_ticket(database, text=None, assignee_id=first_line)
    # when
    with database.unit_of_work(actor=Actor.system()) as session:
        tickets.update_ticket(
            session, actor=Actor.system(), ticket_id=ticket.id, data=TicketUpdate(team_id=tier2)
        )
    dispatch_due(database)
    # then
    assert _assignees(database, [ticket.id]) == [expert]


def test_an_escalated_ticket_waits_unassigned_when_no_one_in_the_team_can_take_it(
    database: Database,
) -> None:
    # given
    _tier1, (first_line,) = make_team(database, name="Tier 1", members=1, method=Method.MANUAL)
    tier2, _experts = make_team(database, name="Tier 2", members=1, online=0)
    ticket = make_ticket(database, text=None, assignee_id=first_line)
    # when
    with database.unit_of_work(actor=Actor.system()) as session:
        tickets.update_ticket(
            session, actor=Actor.system(), ticket_id=ticket.id, data=TicketUpdate(team_id=tier2)
        )
    dispatch_due(database)
    # then
    assert _assignees(database, [ticket.id]) == [None]
    assert _notes(database, ticket.id) == ["Waiting in the team queue: no team member is online."]
