"""In a real browser, on a desktop and at phone width: a manager sees a queue's week of
requirements drawn as a chart and uses the one-interval calculator."""

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.db import Database
from kefu.permissions import Role
from tests.accounts.factories import make_agent
from tests.tickets.test_inbox_browser import signed_in_page
from tests.workforce.staffing.factories import make_forecast, make_queue

pytestmark = pytest.mark.slow
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}
SHOTS = os.environ.get("KEFU_SHOTS")  # a folder to keep screenshots in, when set
WAIT = 15_000  # ms: the machine running the suite may be busy


def test_a_manager_reads_the_week_and_calculates_one_interval(
    browser: Any, live_server: str, database: Database
) -> None:
    # given a phone queue with a forecast for Monday morning
    make_agent(database, email="lead@example.com", name="Lea Lead", role=Role.MANAGER)
    queue = make_queue(database)
    volumes = [0.0] * 16 + [40, 70, 100, 130, 160, 180, 170, 150, 120, 100, 90, 80]
    make_forecast(database, queue_id=queue.id, start=datetime(2026, 11, 9, tzinfo=UTC),
                  volumes=volumes)  # fmt: skip
    for name, options in (("desktop", {}), ("phone", PHONE)):
        context, page = signed_in_page(browser, live_server, "lead@example.com", **options)
        # when
        page.goto(f"{live_server}/workforce/staffing?queue_id={queue.id}&day=2026-11-10")
        # then the week's requirement is drawn and listed
        expect(page.get_by_role("heading", name="Phone")).to_be_visible(timeout=WAIT)
        expect(page.get_by_test_id("staffing-table")).to_contain_text(
            "Mon 11-09 09:00", timeout=WAIT
        )
        page.wait_for_function("window.Chart && Chart.getChart('staffing-chart')")
        assert page.evaluate("Chart.getChart('staffing-chart').data.datasets[1].data[18]") == 14
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"staffing-week-{name}.png"))
        # and the calculator answers like the CLI
        page.get_by_label("Contacts in the interval").fill("100")
        page.get_by_label("Maximum occupancy (0.85 = 85 %)").fill("0.70")
        page.get_by_role("button", name="Calculate").click()
        expect(page.get_by_test_id("raw-agents")).to_have_text("15", timeout=WAIT)
        expect(page.get_by_test_id("scheduled-agents")).to_have_text("22", timeout=WAIT)
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
        if SHOTS:
            page.screenshot(path=str(Path(SHOTS) / f"staffing-{name}.png"), full_page=True)
        context.close()
