"""Full page loads of the dashboards through the app (the analytics benchmark's second
table): a signed-in manager GETs each /reports page with its range and filters — routing,
session, every query the page makes (the previous period, labels, filter choices), the
template — beside the naive queries answering the same page's figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.testclient import TestClient

from bench import analytics_naive as naive
from bench.analytics_data import END
from kefu.accounts import service as accounts
from kefu.accounts.schemas import AgentCreate
from kefu.analytics.filters import ReportFilter
from kefu.app import create_app
from kefu.config import Settings
from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.permissions import Role
from kefu.runtime import start, stop

EMAIL, PASSWORD = "boss@bench.example", "bench-password-long-enough"
Page = tuple[str, str, Callable[[Any], object] | None]  # what, path, naive twin


def pages(team: int, agent: int) -> list[Page]:
    """The dashboards as a manager opens them: the last 30 days (90 for the two-filter
    overview), with the naive queries that answer the same figures."""
    last = (END - timedelta(days=1)).date()
    month = ReportFilter(since=last - timedelta(days=29), until=last)
    quarter = replace(month, since=last - timedelta(days=89))
    start, end = month.bounds()
    p_start, p_end = month.previous_period().bounds()
    q_start, q_end = quarter.bounds()
    qp_start, _qp_end = quarter.previous_period().bounds()

    def query(flt: ReportFilter, **extra: object) -> str:
        args = {"range": "custom", "since": flt.since, "until": flt.until, "time_zone": "UTC"}
        return urlencode({**args, **extra})

    m, q = query(month), query(quarter, team_id=team, channel="email")

    def overview(s: Any, a: Any, b: Any, pa: Any, pb: Any) -> object:
        return naive.overview(s, a, b), naive.overview(s, pa, pb), naive.series(s, a, b)

    def by(column: str) -> Callable[[Any], object]:
        return lambda s: (naive.by_column(s, start, end, column),)

    return [
        ("overview (30 days)", f"/reports/dashboard/overview?{m}",
         lambda s: overview(s, start, end, p_start, p_end)),
        ("overview, team + channel (90 days)", f"/reports/dashboard/overview?{q}",
         lambda s: overview(s, q_start, q_end, qp_start, q_start)),
        ("by channel", f"/reports/dashboard/channel?{m}", by("channel")),
        ("by brand", f"/reports/dashboard/store?{m}", by("store_id")),
        ("by tag", f"/reports/dashboard/tag?{m}", lambda s: naive.by_tag(s, start, end)),
        ("by type", f"/reports/dashboard/type?{m}", by("type")),
        ("by intent", f"/reports/dashboard/intent?{m}", None),  # only kefu's tables hold it
        ("heat map", f"/reports/dashboard/heatmap?{m}", lambda s: naive.heatmap(s, start, end)),
        ("agent leaderboard", f"/reports/dashboard/agent?{m}",
         lambda s: naive.leaderboard(s, start, end)),
        ("agent leaderboard, channel = email", f"/reports/dashboard/agent?{m}&channel=email",
         lambda s: naive.leaderboard(s, start, end)),
        ("team leaderboard", f"/reports/dashboard/team?{m}",
         lambda s: naive.leaderboard(s, start, end)),
        ("refunds and returns", f"/reports/dashboard/commerce?{m}",
         lambda s: (naive.commerce(s, start, end), naive.commerce(s, p_start, p_end))),
        ("drill-down: an agent's created tickets",
         f"/reports/tickets?{m}&metric=created&key=agent:{agent}",
         lambda s: naive.drilldown(s, start, end, agent)),
    ]  # fmt: skip


class Browser:
    """The app on the bench database, and a manager signed in to it."""

    def __init__(self, database: Database, workdir: Path) -> None:
        with database.unit_of_work(actor=Actor.system()) as session:
            data = AgentCreate(name="Boss", email=EMAIL, password=PASSWORD, role=Role.MANAGER)
            accounts.create_agent(session, actor=Actor.system(), data=data)
        settings = Settings(
            data_dir=workdir,
            database_url=database.engine.url.render_as_string(hide_password=False),
            secret_key="bench-secret-key-" + "x" * 32,
            worker_in_process=False,
        )
        self.runtime = start(settings, database=database)
        self.client = TestClient(create_app(settings, runtime=self.runtime))
        self.client.__enter__()
        login = self.client.get("/login").text
        token = login.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        form = {"email": EMAIL, "password": PASSWORD, "csrf_token": token, "next": "/"}
        assert self.client.post("/login", data=form).status_code == 200

    def get(self, path: str) -> None:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])

    def close(self) -> None:
        self.client.__exit__(None, None, None)
        stop()
