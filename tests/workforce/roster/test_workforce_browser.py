"""Issue 10's done-when in a real browser: a manager imports 12 weeks of history, sees the
forecast, generates next week's schedule for 30 agents (the solver's time limit kept small),
moves a shift by hand (dragged on the timeline, then by the form), publishes; an agent sees
their week and asks for a day off; the manager approves it and coverage updates."""

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.db import Database
from kefu.runtime import Runtime
from kefu.workforce.scheduling import rosters
from kefu.workforce.scheduling.schemas import LabourRulesIn
from tests.accounts.factories import PASSWORD, make_agent
from tests.workforce.forecast.factories import history_csv
from tests.workforce.roster.factories import (
    SYSTEM,
    make_manager,
    make_profile,
    make_queue,
    make_template,
)

pytestmark = pytest.mark.slow
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)  # a Friday: "next week" starts on 7 December
SHOTS = Path(__file__).resolve().parents[3] / "data" / "workforce-shots"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


def contacts(at: datetime) -> int:
    """Chat from 08:00 to 22:00 (Shanghai), busier at noon and in the evening, quieter at
    weekends."""
    local = at + timedelta(hours=8)
    if not 8 <= local.hour < 22:
        return 0
    base = 14 if local.hour in (11, 12, 19, 20) else 9
    return base if local.weekday() < 5 else base // 2


def sign_in(browser: Any, base: str, email: str, **options: Any) -> tuple[Any, Any]:
    context = browser.new_context(locale="en-US", **options)
    page = context.new_page()
    page.set_default_timeout(20000)
    page.goto(f"{base}/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="My schedule")).to_be_visible()
    return context, page


def _set_up(database: Database) -> int:
    queue = make_queue(database, name="Chat", time_zone="Asia/Shanghai", aht_seconds=240)
    make_template(
        database, name="Early", start_minutes=[480, 510, 540],
    )  # fmt: skip
    make_template(database, name="Late", start_minutes=[780, 810, 840])
    from kefu.workforce.scheduling import setup

    with database.unit_of_work(actor=SYSTEM) as session:
        setup.save_rules(session, actor=SYSTEM, data=LabourRulesIn(name="Shanghai"))
    for i in range(30):
        agent = make_agent(database, email=f"agent{i:02d}@example.com", name=f"Agent {i:02d}")
        make_profile(database, agent.id, queue_ids=[queue.id], min_hours_week=0)
    make_manager(database)
    return queue.id


def test_a_manager_rosters_next_week_and_an_agent_takes_a_day_off(
    browser: Any, live_server: str, database: Database, runtime: Runtime, tmp_path: Path
) -> None:
    runtime.clock = lambda: NOW
    queue_id = _set_up(database)
    history = tmp_path / "chat-history.csv"
    start = datetime(2026, 9, 10, 16, 0, tzinfo=UTC)  # local midnight, 12 weeks before NOW
    history.write_text(
        history_csv(start=start, days=84, contacts=contacts, time_zone="Asia/Shanghai")
    )

    # the manager imports twelve weeks of history and runs the forecast
    context, page = sign_in(browser, live_server, "lead@example.com")
    page.get_by_role("link", name="Workforce").click()
    expect(page.get_by_role("heading", name="Workforce", exact=True)).to_be_visible()
    page.goto(f"{live_server}/workforce/queues/{queue_id}")
    page.get_by_label("CSV file").set_input_files(str(history))
    page.get_by_role("button", name="Import history").click()
    expect(page.get_by_test_id("import-report")).to_contain_text("4032 imported")
    page.goto(f"{live_server}/workforce/forecast?queue_id={queue_id}")
    page.get_by_role("button", name="Run the forecast now").click(timeout=240000)
    expect(page.get_by_test_id("forecast-model")).to_be_visible()

    # creates next week's roster and generates it (a small time limit), watching progress
    page.goto(f"{live_server}/workforce/roster")
    expect(page.get_by_label("First day")).to_have_value("2026-12-07")
    page.get_by_role("button", name="Create roster").click()
    expect(page.get_by_text("Roster created.")).to_be_visible()
    expect(page.locator("#wf-coverage-summary")).to_contain_text("under-staffed")
    page.get_by_label("Time limit, seconds").fill("8")
    page.get_by_role("button", name="Generate roster").click()
    expect(page.locator("#wf-progress")).to_contain_text("Generating the roster")
    assert runtime.queue.run_pending() >= 1  # the job runs (a worker would, in production)
    expect(page.get_by_role("heading", name="Last generation")).to_be_visible()
    roster_id = int(page.url.rstrip("/").rsplit("/", 1)[1].split("?")[0])
    with database.sessions() as session:
        shifts = rosters.shifts_of(session, roster_id)
    assert len(shifts) >= 60 and len({s.agent_id for s in shifts}) >= 20

    # drags a shift an hour later on the timeline, then sets it by the form
    first = shifts[0]
    bar = page.locator(f'.wf-bar[data-shift-id="{first.id}"]')
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    cell = bar.locator("xpath=..").bounding_box()
    assert box and cell
    x, y = box["x"] + 3, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + cell["width"] / 24 / 2, y, steps=4)
    page.mouse.move(x + cell["width"] / 24, y, steps=4)
    page.mouse.up()
    expect(page.get_by_text("Shift moved.")).to_be_visible()
    with database.sessions() as session:
        moved = rosters.get_shift(session, first.id)
    assert moved.start_at == first.start_at + timedelta(hours=1) and moved.is_manual
    page.locator(f'.wf-bar[data-shift-id="{first.id}"]').click()
    expect(page.get_by_role("heading", name="Edit shift")).to_be_visible()
    page.get_by_label("Starts").fill("10:00")
    page.get_by_label("Ends").fill("18:00")
    page.get_by_role("button", name="Save shift").click()
    expect(page.get_by_text("Shift saved.")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Roster published")).to_be_visible()
    summary_before = page.locator("#wf-coverage-summary").inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "roster-laptop.png"), full_page=True)
    context.close()

    # an agent with shifts sees their week on a phone and asks for a day off
    with database.sessions() as session:
        shifts = rosters.shifts_of(session, roster_id)
    worker = max({s.agent_id for s in shifts}, key=lambda a: sum(s.agent_id == a for s in shifts))
    theirs = sorted((s for s in shifts if s.agent_id == worker), key=lambda s: s.start_at)
    day = (theirs[0].start_at + timedelta(hours=8)).date()
    shanghai = f"{theirs[0].start_at + timedelta(hours=8):%H:%M}"
    agent_context, agent_page = sign_in(browser, live_server, _email_of(database, worker), **PHONE)
    agent_page.goto(f"{live_server}/schedule")
    agent_page.get_by_role("link", name="Next week →").click()
    week = agent_page.locator(f'li[data-day="{day.isoformat()}"]')
    expect(week).to_contain_text(shanghai)
    expect(agent_page.get_by_text("Subscribe in your calendar")).to_be_visible()
    agent_page.get_by_label("First day off").fill(day.isoformat())
    agent_page.get_by_label("Reason for the time off (optional)").fill("Family visit")
    agent_page.get_by_role("button", name="Ask for time off").click()
    expect(agent_page.get_by_text("Time off requested")).to_be_visible()
    agent_page.screenshot(path=str(SHOTS / "my-schedule-phone.png"), full_page=True)
    agent_context.close()

    # the manager approves it, having seen what it costs, and coverage updates
    context, page = sign_in(browser, live_server, "lead@example.com")
    page.goto(f"{live_server}/workforce/requests")
    expect(page.get_by_text("Approving removes 1 shift.")).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Time off approved")).to_be_visible()
    page.goto(f"{live_server}/workforce/roster/{roster_id}")
    summary_after = page.locator("#wf-coverage-summary").inner_text()
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(SHOTS / "roster-phone.png"), full_page=True)
    assert _short_hours(summary_after) > _short_hours(summary_before)
    with database.sessions() as session:
        assert not [s for s in rosters.shifts_of(session, roster_id) if s.agent_id == worker
                    and (s.start_at + timedelta(hours=8)).date() == day]  # fmt: skip
    context.close()


def _email_of(database: Database, agent_id: int) -> str:
    from kefu.accounts import service as accounts

    with database.sessions() as session:
        return accounts.get_agent(session, agent_id).email


def _short_hours(summary: str) -> float:
    found = re.search(r"([\d.]+) agent-hours short", summary)
    return float(found.group(1)) if found else 0.0
