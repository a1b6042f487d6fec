"""Which business hours apply to a ticket (team, else store, else default, else always open),
and business-hours clocks: due times and pauses counted in open time only."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.kit.actor import Actor
from kefu.kit.clock import as_utc
from kefu.sla import business_hours, clocks
from kefu.sla.business_hours import in_business_hours
from kefu.sla.schemas import ScheduleIn
from kefu.tickets import service as tickets
from kefu.tickets.schemas import TicketUpdate
from tests.commerce.factories import make_store
from tests.sla.factories import clocks as clocks_of
from tests.sla.factories import make_policy, make_schedule, make_team, targets, update
from tests.tickets.factories import make_ticket

LONDON = ZoneInfo("Europe/London")
SATURDAY_NOON = datetime(2026, 12, 5, 12, 0, tzinfo=LONDON)
MONDAY_TEN = datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)
ALL_WEEK = [{"weekday": d, "start": "00:00", "end": "24:00"} for d in range(7)]


def test_no_schedule_is_always_open(database: Database) -> None:
    ticket = make_ticket(database)
    with database.unit_of_work() as session:
        assert in_business_hours(session, ticket_id=ticket.id, at=SATURDAY_NOON)


def test_the_default_then_the_store_then_the_team_schedule(database: Database) -> None:
    # given a default (weekdays), a store's (every day) and a team's (Saturdays only)
    make_schedule(database, name="Office", is_default=True)
    store = make_store(database)
    make_schedule(database, name="Shop", intervals=ALL_WEEK, store_ids=[store.id])
    team_id = make_team(database)
    saturdays = [{"weekday": 5, "start": "10:00", "end": "14:00"}]
    make_schedule(database, name="Weekend crew", intervals=saturdays, team_ids=[team_id])
    plain = make_ticket(database)
    shop = make_ticket(database, store_id=store.id)
    crew = make_ticket(database, store_id=store.id, team_id=team_id)
    with database.unit_of_work() as session:
        assert not in_business_hours(session, ticket_id=plain.id, at=SATURDAY_NOON)
        assert in_business_hours(session, ticket_id=plain.id, at=MONDAY_TEN)
        assert in_business_hours(session, ticket_id=shop.id, at=SATURDAY_NOON)
        assert in_business_hours(session, ticket_id=crew.id, at=SATURDAY_NOON)
        assert not in_business_hours(session, ticket_id=crew.id, at=MONDAY_TEN)


def test_one_default_and_a_team_moves_between_schedules(database: Database) -> None:
    team_id = make_team(database)
    first = make_schedule(database, name="First", is_default=True, team_ids=[team_id])
    second = make_schedule(database, name="Second", is_default=True, team_ids=[team_id])
    with database.unit_of_work() as session:
        assert not business_hours.get_schedule(session, first.id).is_default
        assert business_hours.schedule_for(session, team_id=team_id, store_id=None).id == (
            second.id
        )
        reads = {
            s.name: business_hours.schedule_read(session, s)
            for s in business_hours.list_schedules(session)
        }
        assert (reads["First"].team_ids, reads["Second"].team_ids) == ([], [team_id])


def test_a_deleted_schedule_falls_back_to_the_default(database: Database) -> None:
    make_schedule(database, name="Office", is_default=True)
    team_id = make_team(database)
    crew = make_schedule(database, name="Crew", intervals=ALL_WEEK, team_ids=[team_id])
    ticket = make_ticket(database, team_id=team_id)
    with database.unit_of_work() as session:
        business_hours.delete_schedule(session, actor=Actor.system(), schedule_id=crew.id)
    with database.unit_of_work() as session:
        assert not in_business_hours(session, ticket_id=ticket.id, at=SATURDAY_NOON)


def test_business_hours_clocks_skip_closed_time(database: Database) -> None:
    # given 9–18 weekdays in London as the default and a business-hours policy
    make_schedule(database, is_default=True)
    make_policy(database, hours="business", targets=targets(first_reply=60))
    ticket = make_ticket(database)
    friday_evening = datetime(2026, 12, 4, 17, 30, tzinfo=LONDON).astimezone(UTC)
    # when its clocks start on Friday at 17:30 (the service, with the time given)
    with database.unit_of_work() as session:
        clocks.ticket_opened(session, ticket_id=ticket.id, at=friday_evening)
    # then first reply is due on Monday at 09:30
    clock = clocks_of(database, ticket.id)["first_reply"]
    assert as_utc(clock.due_at) == datetime(2026, 12, 7, 9, 30, tzinfo=LONDON)
    # when it is pending from Friday 17:45 to Monday 09:10: 15 business minutes were used
    with database.unit_of_work() as session:
        clocks.ticket_changed(
            session,
            ticket_id=ticket.id,
            at=friday_evening + timedelta(minutes=15),
            changes={"status": ["new", "pending"]},
        )
    monday = datetime(2026, 12, 7, 9, 10, tzinfo=LONDON).astimezone(UTC)
    with database.unit_of_work() as session:
        clocks.ticket_changed(
            session, ticket_id=ticket.id, at=monday, changes={"status": ["pending", "open"]}
        )
    clock = clocks_of(database, ticket.id)["first_reply"]
    assert clock.used_seconds == 15 * 60
    assert as_utc(clock.due_at) == datetime(2026, 12, 7, 9, 55, tzinfo=LONDON)


def test_a_new_team_moves_the_due_time_to_its_hours(database: Database) -> None:
    make_schedule(database, is_default=True)
    team_id = make_team(database)
    make_schedule(database, name="Always", intervals=ALL_WEEK, team_ids=[team_id])
    make_policy(database, hours="business", targets=targets(resolution=120))
    ticket = make_ticket(database)
    dispatch_due(database)
    with database.unit_of_work(actor=Actor.system()) as session:
        tickets.update_ticket(
            session, actor=Actor.system(), ticket_id=ticket.id, data=TicketUpdate(team_id=team_id)
        )
    dispatch_due(database)
    clock = clocks_of(database, ticket.id)["resolution"]
    # the always-open team: due exactly when the target's time left has passed
    left = timedelta(seconds=clock.target_seconds - clock.used_seconds)
    assert as_utc(clock.due_at) == as_utc(clock.running_since) + left


def test_a_team_in_the_same_hours_leaves_the_clocks_running_as_they_were(
    database: Database,
) -> None:
    # given weekday hours for everyone, a team with none of its own and a running clock
    make_schedule(database, is_default=True)
    same_hours = make_team(database)
    make_policy(database, hours="business", targets=targets(first_reply=60, resolution=480))
    ticket = make_ticket(database)
    dispatch_due(database)
    before = clocks_of(database, ticket.id)
    # when the ticket moves to the team
    update(database, ticket_id=ticket.id, team_id=same_hours)
    dispatch_due(database)
    # then its clocks run on from when they started, due when they were
    after = clocks_of(database, ticket.id)
    for metric in ("first_reply", "resolution"):
        assert (after[metric].running_since, after[metric].due_at) == (
            before[metric].running_since,
            before[metric].due_at,
        )


def test_an_overdue_clock_stays_due_when_it_was_on_a_move_in_the_same_hours(
    database: Database,
) -> None:
    # given a first reply due an hour after the ticket opened
    make_policy(database, hours="calendar", targets=targets(first_reply=60, resolution=480))
    team_id = make_team(database)
    ticket = make_ticket(database)
    opened = MONDAY_TEN.astimezone(UTC)
    with database.unit_of_work(actor=Actor.system()) as session:
        clocks.ticket_opened(session, ticket_id=ticket.id, at=opened)
    # when, two hours on (an hour overdue, not yet marked breached), it moves to a team
    with database.unit_of_work(actor=Actor.system()) as session:
        tickets.update_ticket(
            session, actor=Actor.system(), ticket_id=ticket.id, data=TicketUpdate(team_id=team_id)
        )
        moved = {"team_id": [None, team_id]}
        at = opened + timedelta(hours=2)
        clocks.ticket_changed(session, ticket_id=ticket.id, at=at, changes=moved)
    # then it is still due when it was, not from the move on
    found = clocks_of(database, ticket.id)
    assert as_utc(found["first_reply"].due_at) == opened + timedelta(hours=1)
    assert as_utc(found["resolution"].due_at) == opened + timedelta(hours=8)


def test_schedule_names_are_unique(database: Database) -> None:
    make_schedule(database, name="Office")
    data = ScheduleIn(name="Office", time_zone="UTC", intervals=ALL_WEEK)
    with database.unit_of_work() as session:
        try:
            business_hours.create_schedule(session, actor=Actor.system(), data=data)
        except Exception as exc:
            assert "already" in str(exc)
        else:
            raise AssertionError("a second schedule named Office was saved")
