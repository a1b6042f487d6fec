"""The returns dashboard in Chromium: the vendored Chart.js draws every chart, no errors."""

from datetime import timedelta
from typing import Any

import pytest

from kefu.db import Database
from kefu.permissions import Role
from tests.accounts.factories import make_agent
from tests.commerce.logistics_factories import T0, make_order, make_return, make_store
from tests.tickets.test_inbox_browser import signed_in_page

pytestmark = pytest.mark.slow


def test_charts_are_drawn(browser: Any, live_server: str, database: Database) -> None:
    # given a manager and open returns
    store = make_store(database)
    order = make_order(database, store=store)
    now = T0 + timedelta(days=3)
    make_return(database, order=order, rma="R1", created_at=now, reason="damaged")
    make_return(database, order=order, rma="R2", created_at=now, state="approved")
    manager = make_agent(database, email="mia@example.com", role=Role.MANAGER)
    context, page = signed_in_page(browser, live_server, manager.email)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # when
    page.goto(f"{live_server}/reports/returns?start=2026-10-01&end=2026-10-31")
    page.wait_for_function("() => window.Chart && Chart.getChart('chart-reasons')")
    # then
    drawn = page.evaluate(
        "() => ['chart-open', 'chart-reasons'].map(id => Chart.getChart(id).config.type)"
    )
    assert drawn == ["bar", "doughnut"]
    assert errors == []
    context.close()
