"""Issue 9's done-when in a real browser: a manager opens the dashboard, narrows the range,
drills from a chart bar to the ticket list, exports XLSX (the same numbers as the page), and
schedules a weekly PDF that arrives by email; the charts follow the dark theme and the
dashboard fits a phone."""

import email
import email.policy
import io
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import openpyxl
import pypdf
import pytest
from playwright.sync_api import expect

from kefu.analytics.reports import delivery
from kefu.analytics.reports.periods import local_midnight_utc, local_today
from kefu.kit.clock import utcnow
from kefu.permissions import Role
from kefu.runtime import Runtime
from tests.accounts.factories import make_agent
from tests.analytics.reports.factories import seed
from tests.channels.email.servers import CaptureSMTP
from tests.conftest import free_port
from tests.tickets.test_inbox_browser import signed_in_page

pytestmark = pytest.mark.slow
ZONE = "Asia/Shanghai"


@pytest.fixture
def smtp(runtime: Runtime) -> Iterator[CaptureSMTP]:
    server = CaptureSMTP(None, port=free_port()).start()
    runtime.settings = runtime.settings.model_copy(
        update={"smtp_url": f"smtp://127.0.0.1:{server.port}"}
    )
    yield server
    server.stop()


def figure_value(page: Any, key: str) -> str:
    return str(page.locator(f'[data-figure="{key}"]').get_attribute("data-value"))


def click_bar(page: Any, chart: str, series: int, index: int) -> None:
    """Click the middle of a Chart.js bar, where a manager's mouse would."""
    canvas = page.locator(f'canvas[data-chart="{chart}"]')
    expect(canvas).to_have_attribute("data-ready", "true")
    x, y = canvas.evaluate(
        """(c, [s, i]) => { const bar = Chart.getChart(c).getDatasetMeta(s).data[i];
           return [bar.x, (bar.y + bar.base) / 2]; }""",
        [series, index],
    )
    canvas.click(position={"x": x, "y": y})


def test_a_manager_reads_narrows_drills_exports_and_schedules_the_weekly_report(
    browser: Any, live_server: str, runtime: Runtime, smtp: CaptureSMTP, tmp_path: Any
) -> None:
    # given five tickets today, two answered and solved by Tom
    database = runtime.database
    make_agent(database, email="mia@example.com", name="Mia", role=Role.MANAGER)
    ids = seed(database, make_agent(database, email="tom@example.com", name="Tom"))
    context, page = signed_in_page(browser, live_server, "mia@example.com")
    page.set_default_timeout(30000)  # two cores shared with other test runs
    # when the manager opens the dashboard from the top bar
    page.get_by_role("link", name="Reports", exact=True).click()
    page.get_by_role("link", name="Open the dashboard").click()
    expect(page.get_by_role("heading", name="Overview", exact=True).first).to_be_visible()
    assert figure_value(page, "created") == "5"
    # and narrows the range to the last three days
    today = local_today(utcnow(), "UTC")
    page.get_by_label("Date range", exact=True).select_option("custom")
    page.get_by_label("From", exact=True).fill((today - timedelta(days=2)).isoformat())
    page.get_by_label("To", exact=True).fill(today.isoformat())
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"/reports/dashboard/overview\?range=custom&since="))
    expect(page.locator(".report-period strong")).to_have_text(
        f"{(today - timedelta(days=2)).isoformat()} – {today.isoformat()}"
    )
    shown = {k: figure_value(page, k) for k in ("created", "solved", "backlog")}
    assert shown == {"created": "5", "solved": "2", "backlog": "3"}
    # and clicks today's "Created" bar
    click_bar(page, "created_solved", 0, 2)
    expect(page.get_by_role("heading", name="Tickets behind the number")).to_be_visible()
    rows = page.locator("#drill-tickets tbody tr")
    expect(rows).to_have_count(5)
    listed = sorted(
        int(t.strip("#"))
        for t in page.locator("#drill-tickets tbody td:first-child a").all_inner_texts()
    )
    assert listed == sorted(ids)
    page.go_back()
    # and exports the dashboard as XLSX
    with page.expect_download() as download:
        page.get_by_role("link", name="Export XLSX").click()
    saved = tmp_path / "overview.xlsx"
    download.value.save_as(saved)
    book = openpyxl.load_workbook(saved)
    figures = {r[0]: r[1] for r in book["Summary"].iter_rows(values_only=True) if r and r[0]}
    assert (figures["Tickets created"], figures["Tickets solved"], figures["Open tickets now"]) == (
        5,
        2,
        3,
    )
    trend = list(book["Created and solved"].iter_rows(values_only=True))[1:]
    assert [r[1] for r in trend] == [0, 0, 5] and [r[2] for r in trend] == [0, 0, 2]
    # and schedules it weekly by email
    page.get_by_role("link", name="Schedule by email").click()
    page.get_by_label("Name", exact=True).fill("Weekly for the boss")
    page.get_by_label("Time zone", exact=True).fill(ZONE)
    page.get_by_label("Recipients", exact=True).fill("boss@example.com")
    page.get_by_role("button", name="Save schedule").click()
    expect(page.get_by_text("Schedule “Weekly for the boss” saved.")).to_be_visible()
    expect(page.locator("#schedules")).to_contain_text("boss@example.com")
    context.close()
    # then, when the week has ended in Shanghai and the job runs, the PDF arrives
    local = local_today(utcnow(), ZONE)
    monday = local + timedelta(days=7 - local.weekday())
    due = local_midnight_utc(monday, ZONE) + timedelta(hours=7, minutes=5)
    assert delivery.send_due_reports(runtime, now=due) == {"sent": 1}
    [mail] = smtp.handler.mails
    assert mail.recipients == ["boss@example.com"]
    parsed = email.message_from_bytes(mail.raw, policy=email.policy.default)
    [pdf] = [
        p.get_content()
        for p in parsed.iter_attachments()
        if p.get_content_type() == "application/pdf"
    ]
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Weekly for the boss" in text and "Tickets created" in text
    assert "Created and solved" in text  # the chart's title, drawn in the PDF
    lines = [line.strip() for line in text.splitlines()]
    after = lines[lines.index("Tickets created") + 1 :]
    assert after[:2] == ["5", "0"]  # this week, the week before


def test_the_charts_follow_the_dark_theme_and_the_dashboard_fits_a_phone(
    browser: Any, live_server: str, runtime: Runtime
) -> None:
    database = runtime.database
    make_agent(database, email="mia@example.com", name="Mia", role=Role.MANAGER)
    seed(database, make_agent(database, email="tom@example.com", name="Tom"))
    context, page = signed_in_page(
        browser,
        live_server,
        "mia@example.com",
        color_scheme="dark",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page.goto(f"{live_server}/reports/dashboard/overview")
    canvas = page.locator('canvas[data-chart="created_solved"]')
    expect(canvas).to_have_attribute("data-ready", "true")
    colour = canvas.evaluate("c => Chart.getChart(c).options.scales.x.ticks.color")
    assert colour == "#e6e8ec"  # kefu.css's dark --text
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    figure = page.locator('[data-figure="created"]')
    figure.scroll_into_view_if_needed()
    expect(figure).to_be_in_viewport()
    box = figure.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    context.close()
