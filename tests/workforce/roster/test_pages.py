"""The scheduling pages: set-up forms saved or refused with the reason (422, nothing saved),
managers only (403 for agents), an agent's own schedule, time-off request and calendar feed."""

from typing import Any

from icalendar import Calendar
from sqlalchemy import func, select

from kefu.db import Database
from kefu.runtime import Runtime
from kefu.workforce.scheduling.models import (
    ShiftTemplate,
    SwapRequest,
    TimeOffRequest,
    WorkProfile,
)
from tests.accounts.factories import PASSWORD, make_agent
from tests.web.helpers import csrf_token, sign_in
from tests.workforce.roster.factories import (
    add_shift,
    at,
    later,
    make_manager,
    make_profile,
    make_queue,
    make_roster,
    publish,
)

TEMPLATE_FORM = {
    "name": "Early",
    "start_times": "07:00, 07:30",
    "length_minutes": "480",
    "weekdays": ["0", "1", "2", "3", "4"],
    "break.0.kind": "lunch",
    "break.0.minutes": "30",
    "break.0.earliest": "180",
    "break.0.latest": "300",
    "is_active": "1",
}


def _signed_in(client: Any, email: str) -> str:
    sign_in(client, email, PASSWORD)
    return csrf_token(client.get("/schedule").text)


def test_a_manager_finds_the_hub_in_the_top_bar(client: Any, database: Database) -> None:
    make_manager(database)
    _signed_in(client, "lead@example.com")
    home = client.get("/").text
    assert 'href="/workforce"' in home and 'href="/schedule"' in home
    html = client.get("/workforce").text
    for link in ("/workforce/forecast", "/workforce/staffing", "/workforce/roster",
                 "/workforce/requests", "/workforce/intraday", "/workforce/setup"):  # fmt: skip
        assert f'href="{link}"' in html


def test_an_agent_sees_my_schedule_but_not_the_manager_pages(
    client: Any, database: Database
) -> None:
    make_agent(database, email="ann@example.com")
    _signed_in(client, "ann@example.com")
    assert 'href="/workforce"' not in client.get("/").text
    for path in ("/workforce", "/workforce/setup", "/workforce/roster", "/workforce/requests",
                 "/workforce/intraday", "/workforce/setup/templates/new"):  # fmt: skip
        assert client.get(path).status_code == 403, path
    token = csrf_token(client.get("/schedule").text)
    response = client.post(
        "/workforce/setup/templates", data={**TEMPLATE_FORM, "csrf_token": token}
    )
    assert response.status_code == 403
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ShiftTemplate)) == 0


def test_a_manager_saves_a_template_and_a_broken_one_comes_back(
    client: Any, database: Database
) -> None:
    make_manager(database)
    token = _signed_in(client, "lead@example.com")
    response = client.post(
        "/workforce/setup/templates", data={**TEMPLATE_FORM, "csrf_token": token}
    )
    assert response.status_code == 303
    with database.sessions() as session:
        [template] = session.scalars(select(ShiftTemplate)).all()
        assert (template.start_minutes, template.weekdays) == ([420, 450], [0, 1, 2, 3, 4])
        assert template.breaks == [{"kind": "lunch", "minutes": 30, "earliest": 180, "latest": 300}]
    assert "Early" in client.get("/workforce/setup").text
    bad = {**TEMPLATE_FORM, "name": "Late", "start_times": "25:00", "csrf_token": token}
    response = client.post("/workforce/setup/templates", data=bad)
    assert response.status_code == 422
    assert "not a time of day" in response.text and 'value="Late"' in response.text
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(ShiftTemplate)) == 1


def test_a_manager_sets_rules_and_an_agents_profile(client: Any, database: Database) -> None:
    make_manager(database)
    queue = make_queue(database)
    ann = make_agent(database, email="ann@example.com", name="Ann")
    token = _signed_in(client, "lead@example.com")
    rules = {"name": "Shanghai", "max_hours_day": "9", "max_hours_week": "40",
             "min_rest_hours": "11", "max_consecutive_days": "5", "min_days_off_week": "2",
             "fair_nights": "1", "csrf_token": token}  # fmt: skip
    assert client.post("/workforce/setup/rules", data=rules).status_code == 303
    assert (
        client.post("/workforce/setup/rules", data={**rules, "max_hours_day": "30"}).status_code
        == 422
    )
    profile = {"queue_ids": [str(queue.id)], "min_hours_week": "30", "max_hours_week": "40",
               "day.5": "10:00-18:00", "forbidden_days": ["6"], "is_scheduled": "1",
               "csrf_token": token}  # fmt: skip
    assert client.post(f"/workforce/setup/agents/{ann.id}", data=profile).status_code == 303
    with database.sessions() as session:
        saved = session.get(WorkProfile, ann.id)
        assert saved.availability == [{"weekday": 5, "start": 600, "end": 1080}]
        assert (saved.queue_ids, saved.forbidden_days) == ([queue.id], [6])
    broken = {**profile, "day.5": "10:00"}
    response = client.post(f"/workforce/setup/agents/{ann.id}", data=broken)
    assert response.status_code == 422 and "09:00-18:00" in response.text
    assert client.get("/workforce/setup/agents/99999").status_code == 404


def test_an_agent_sees_their_week_asks_for_a_day_off_and_reads_the_feed(
    client: Any, database: Database, runtime: Runtime
) -> None:
    # the feed lists a month back from now: read it in that week, whatever today is
    runtime.clock = lambda: at(0, 12)
    queue = make_queue(database)
    ann = make_agent(database, email="ann@example.com", name="Ann")
    roster = make_roster(database, [queue.id])
    add_shift(database, roster.id, ann.id, at(1, 8), at(1, 16, 30))
    publish(database, roster.id)
    token = _signed_in(client, "ann@example.com")
    html = client.get("/schedule?week=2026-12-07").text
    assert "08:00–16:30" in html
    feed_url = html.split("/schedule/feed/")[1].split('"')[0]
    feed = client.get(f"/schedule/feed/{feed_url}")
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    [event] = Calendar.from_ical(feed.content).walk("VEVENT")
    assert event.decoded("dtstart") == at(1, 8)
    assert client.get("/schedule/feed/not-a-token.ics").status_code == 404
    response = client.post(
        "/schedule/time-off",
        data={"first_day": "2026-12-09", "last_day": "2026-12-08", "csrf_token": token},
    )
    assert response.status_code == 422 and "the last day is before the first" in response.text
    response = client.post(
        "/schedule/time-off",
        data={"first_day": "2026-12-09", "reason": "Dentist", "csrf_token": token},
    )
    assert response.status_code == 303
    with database.sessions() as session:
        [asked] = session.scalars(select(TimeOffRequest)).all()
        assert (asked.agent_id, asked.status, asked.reason) == (ann.id, "pending", "Dentist")
        assert (asked.start_at, asked.end_at) == (at(2, 0), at(3, 0))


def test_my_schedule_is_in_the_time_zone_of_the_agents_queue(
    client: Any, database: Database
) -> None:
    queue = make_queue(database, time_zone="Asia/Shanghai")
    ann = make_agent(database, email="ann@example.com", name="Ann")
    make_profile(database, ann.id, queue_ids=[queue.id])
    roster = make_roster(database, [queue.id])
    add_shift(database, roster.id, ann.id, at(1, 1), at(1, 9))  # 09:00–17:00 in Shanghai
    publish(database, roster.id)
    token = _signed_in(client, "ann@example.com")
    html = client.get("/schedule?week=2026-12-07").text
    assert "Times in Asia/Shanghai." in html and "09:00–17:00" in html
    client.post("/schedule/time-off", data={"first_day": "2026-12-09", "csrf_token": token})
    with database.sessions() as session:
        [asked] = session.scalars(select(TimeOffRequest)).all()
        assert asked.start_at == at(1, 16)  # Shanghai midnight


def test_an_agent_offers_a_shift_for_a_colleagues(client: Any, database: Database) -> None:
    queue = make_queue(database)
    ann = make_agent(database, email="ann@example.com", name="Ann")
    bob = make_agent(database, email="bob@example.com", name="Bob")
    roster = make_roster(database, [queue.id], start_date=later(0, 0).date())
    mine = add_shift(database, roster.id, ann.id, later(1, 9), later(1, 17))
    theirs = add_shift(database, roster.id, bob.id, later(2, 9), later(2, 17))
    publish(database, roster.id)
    token = _signed_in(client, "ann@example.com")
    html = client.get("/schedule?week=2099-01-05").text  # shifts up to five weeks ahead listed
    assert f'<option value="{theirs.id}">Bob · 2099-01-07 09:00</option>' in html
    form = {"shift_id": str(mine.id), "other_agent_id": str(bob.id),
            "other_shift_id": str(theirs.id), "csrf_token": token}  # fmt: skip
    assert client.post("/schedule/swaps", data=form).status_code == 303
    again = client.post("/schedule/swaps", data=form)
    assert again.status_code == 422 and "already offered" in again.text
    with database.sessions() as session:
        [swap] = session.scalars(select(SwapRequest)).all()
        assert (swap.shift_id, swap.other_shift_id, swap.status) == (mine.id, theirs.id, "pending")
