"""The roster pages: create a roster, generate it through the job with its progress, the
heat map marking under-staffed intervals, shifts edited by form or dragged, publish; the
requests page with an approval's impact; the intraday page with adherence."""

import re
from typing import Any

import pytest

import kefu.events
from kefu.db import Database
from kefu.runtime import Runtime
from kefu.workforce.scheduling import rosters
from kefu.workforce.scheduling.models import Roster, Shift
from tests.accounts.factories import PASSWORD, make_agent
from tests.web.helpers import csrf_token, sign_in
from tests.workforce.roster.factories import (
    add_shift,
    at,
    forecast_week,
    make_manager,
    make_profile,
    make_queue,
    make_roster,
    make_template,
    publish,
    set_status,
)


def _manager(client: Any, database: Database) -> str:
    make_manager(database)
    sign_in(client, "lead@example.com", PASSWORD)
    return csrf_token(client.get("/workforce").text)


def _shifts(database: Database, roster_id: int) -> list[Shift]:
    with database.sessions() as session:
        return rosters.shifts_of(session, roster_id)


def test_a_manager_creates_generates_and_publishes_a_roster(
    client: Any, database: Database, runtime: Runtime
) -> None:
    queue = make_queue(database, aht_seconds=180)
    forecast_week(database, queue.id)
    make_template(database, start_minutes=[540])
    for i in range(7):
        agent = make_agent(database, email=f"a{i}@example.com", name=f"Agent {i}")
        make_profile(database, agent.id, queue_ids=[queue.id])
    token = _manager(client, database)
    assert "Week of" in client.get("/workforce/roster").text
    form = {"name": "Week 50", "start_date": "2026-12-07", "days": "7",
            "queue_ids": [str(queue.id)], "csrf_token": token}  # fmt: skip
    bad = client.post("/workforce/roster", data={**form, "start_date": "7 Dec"})
    assert bad.status_code == 422 and "the date like 2026-11-11" in bad.text
    response = client.post("/workforce/roster", data=form)
    assert response.status_code == 303
    roster_url = response.headers["location"]
    html = client.get(roster_url).text
    # nobody scheduled yet: 5 agents needed 09:00–17:00 on weekdays, every one of those short
    assert "80 under-staffed intervals" in html
    assert html.count('<td class="wf-cell wf-short"') == 80
    response = client.post(
        roster_url + "/generate", data={"time_limit_seconds": "10", "csrf_token": token}
    )
    assert response.status_code == 303
    html = client.get(roster_url).text
    assert 'hx-trigger="every 1s"' in html and "Generating the roster" in html
    progress = client.get(roster_url + "/progress")
    assert "HX-Refresh" not in progress.headers
    assert runtime.queue.run_pending() >= 1  # the job: workforce.generate_roster
    progress = client.get(roster_url + "/progress")
    assert progress.headers["HX-Refresh"] == "true"
    html = client.get(roster_url).text
    assert "Every interval is covered." in html and "best possible" in html
    roster_id = int(roster_url.rsplit("/", 1)[1])
    assert len(_shifts(database, roster_id)) >= 30  # 6 a weekday: 5 on the floor, lunches
    response = client.post(roster_url + "/publish", data={"csrf_token": token})
    assert response.status_code == 303
    with database.sessions() as session:
        assert session.get(Roster, roster_id).status == "published"


def test_a_shift_is_moved_by_form_and_by_drag_and_coverage_follows(
    client: Any, database: Database
) -> None:
    queue = make_queue(database, aht_seconds=180)
    forecast_week(database, queue.id)
    ann = make_agent(database, email="ann@example.com", name="Ann")
    make_profile(database, ann.id, queue_ids=[queue.id])
    roster = make_roster(database, [queue.id])
    shift = add_shift(database, roster.id, ann.id, at(0, 9), at(0, 17))
    token = _manager(client, database)
    page = client.get(f"/workforce/roster/{roster.id}").text
    assert "78 under-staffed intervals" not in page and "80 under-staffed intervals" in page
    assert f'data-shift-id="{shift.id}"' in page and "09:00–17:00" in page
    edit = client.get(f"/workforce/roster/shifts/{shift.id}").text
    assert 'value="09:00"' in edit
    form = {"agent_id": str(ann.id), "day": "2026-12-07", "start": "07:00", "end": "15:00",
            "csrf_token": token}  # fmt: skip
    assert client.post(f"/workforce/roster/shifts/{shift.id}", data=form).status_code == 303
    [moved] = _shifts(database, roster.id)
    assert (moved.start_at, moved.end_at, moved.is_manual) == (at(0, 7), at(0, 15), True)
    response = client.post(
        f"/workforce/roster/shifts/{shift.id}/move",
        data={"delta_minutes": "90", "csrf_token": token},
    )
    assert response.status_code == 303
    [dragged] = _shifts(database, roster.id)
    assert (dragged.start_at, dragged.end_at) == (at(0, 8, 30), at(0, 16, 30))
    html = client.get(f"/workforce/roster/{roster.id}").text
    assert "08:30–16:30" in html
    # refused edits come back with the reason and change nothing
    bad = client.post(f"/workforce/roster/shifts/{shift.id}", data={**form, "start": "7am"})
    assert bad.status_code == 422 and "not a time like 09:30" in bad.text
    outside = client.post(
        f"/workforce/roster/shifts/{shift.id}", data={**form, "day": "2027-01-01"}
    )
    assert outside.status_code == 422 and "within the roster" in outside.text
    junk = client.post(
        f"/workforce/roster/shifts/{shift.id}/move",
        data={"delta_minutes": "x", "csrf_token": token},
    )
    assert junk.status_code == 422
    assert [(s.start_at, s.end_at) for s in _shifts(database, roster.id)] == [
        (at(0, 8, 30), at(0, 16, 30))
    ]
    assert client.get("/workforce/roster/shifts/99999").status_code == 404
    assert client.get("/workforce/roster/99999").status_code == 404


def test_the_requests_page_shows_the_impact_and_approves(client: Any, database: Database) -> None:
    queue = make_queue(database, aht_seconds=180)
    forecast_week(database, queue.id)
    ann = make_agent(database, email="ann@example.com", name="Ann")
    roster = make_roster(database, [queue.id])
    add_shift(database, roster.id, ann.id, at(2, 9), at(2, 17))
    publish(database, roster.id)
    sign_in(client, "ann@example.com", PASSWORD)
    token = csrf_token(client.get("/schedule").text)
    client.post("/schedule/time-off", data={"first_day": "2026-12-09", "csrf_token": token})
    client.post("/logout", data={"csrf_token": token})
    token = _manager(client, database)
    html = client.get("/workforce/requests").text
    assert "Approving removes 1 shift." in html
    assert re.search(r"Week 50: [\d.]+ → [\d.]+ agent-hours short", html)
    request_id = re.search(r'data-time-off-id="(\d+)"', html).group(1)
    response = client.post(
        f"/workforce/requests/time-off/{request_id}",
        data={"decision": "approve", "csrf_token": token},
    )
    assert response.status_code == 303
    assert _shifts(database, roster.id) == []
    again = client.post(
        f"/workforce/requests/time-off/{request_id}", data={"decision": "deny", "csrf_token": token}
    )
    assert again.status_code == 303  # back to the page with the reason
    assert "already been decided" in client.get("/workforce/requests").text


def test_the_intraday_page_shows_adherence_per_agent(
    client: Any, database: Database, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    queue = make_queue(database)
    ann = make_agent(database, email="ann@example.com", name="Ann")
    roster = make_roster(database, [queue.id])
    add_shift(database, roster.id, ann.id, at(0, 0), at(0, 8))
    publish(database, roster.id)
    with monkeypatch.context() as patched:  # online the evening before, whatever day it is
        patched.setattr(kefu.events, "utcnow", lambda: at(-1, 23))
        set_status(database, ann, "online")
    from kefu.dispatch import dispatch_due

    dispatch_due(database)
    _manager(client, database)
    runtime.clock = lambda: at(0, 4)
    html = client.get(f"/workforce/intraday?queue={queue.id}&day=2026-12-07").text
    row = html.split(f'data-agent-id="{ann.id}"')[1].split("</tr>")[0]
    # online since before the shift: 240 scheduled minutes up to 04:00, all adherent
    cells = re.findall(r'<td class="wf-num">([^<]*)</td>', row)
    assert cells == ["240", "240", "100 %", "100 %"]
    assert "working as scheduled" in row
