"""In a real browser: a manager runs a queue's forecast and sees the chart (forecast, band,
actuals, a campaign) drawn by the vendored Chart.js, with no script errors."""

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.db import Database
from kefu.permissions import Role
from kefu.runtime import Runtime
from tests.accounts.factories import make_agent
from tests.tickets.test_inbox_browser import signed_in_page
from tests.workforce.forecast.factories import history_csv, import_text, make_queue

pytestmark = pytest.mark.slow
NOW = datetime(2026, 11, 9, 3, 0, tzinfo=UTC)
SHOTS = Path(__file__).resolve().parents[3] / "data" / "workforce-shots"


def test_a_manager_sees_the_forecast_chart(
    browser: Any, live_server: str, database: Database, runtime: Runtime
) -> None:
    # given a queue with three weeks of history
    runtime.clock = lambda: NOW
    queue = make_queue(database, name="Chat – Tmall", time_zone="Asia/Shanghai", country="CN")
    text = history_csv(start=datetime(2026, 10, 18, 16, tzinfo=UTC), days=21,
                       time_zone="Asia/Shanghai",
                       contacts=lambda at: 2 + (at.hour + 8) % 24)  # fmt: skip
    import_text(database, queue_id=queue.id, text=text, now=NOW)
    make_agent(database, email="lead@example.com", name="Lea Lead", role=Role.MANAGER)
    context, page = signed_in_page(browser, live_server, "lead@example.com")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # when the manager runs the forecast and adds 11.11 ×4 from 20:00
    page.goto(f"{live_server}/workforce/forecast?queue_id={queue.id}")
    expect(page.get_by_text("No forecast yet for this queue")).to_be_visible()
    page.get_by_role("button", name="Run the forecast now").click()
    expect(page.get_by_test_id("forecast-model")).to_contain_text("WAPE")
    page.get_by_label("Name").fill("Singles Day")
    page.get_by_label("Starts").fill("2026-11-11T20:00")
    page.get_by_label("Ends").fill("2026-11-12T00:00")
    page.get_by_label("Multiplier").fill("4")
    page.get_by_role("button", name="Add event").click()
    # then the chart is drawn with its five series, and the event is listed
    expect(page.get_by_text("Singles Day: ×4.0")).to_be_visible()
    drawn = page.evaluate(
        "() => { const c = window.Chart && window.Chart.getChart('forecast-chart');"
        " return c ? c.data.datasets.length : 0; }"
    )
    assert drawn == 5 and errors == []
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "forecast.png"), full_page=False)
    context.close()
