"""The demo step: the events follow the wound-back demo tickets, the metrics are rebuilt
from them, and two shared reports are saved."""

import random
from datetime import timedelta

from kefu.analytics import queries
from kefu.analytics.filters import ReportFilter
from kefu.analytics.reports.service import list_saved_reports
from kefu.demo import DEMO_ADMIN_EMAIL
from kefu.demo import analytics as demo
from kefu.demo.inbox import _wind_back
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.permissions import Role
from kefu.runtime import Runtime
from tests.accounts.factories import make_agent
from tests.analytics.reports.factories import seed


def test_the_demo_step_spreads_the_metrics_over_the_tickets_history(runtime: Runtime) -> None:
    database = runtime.database
    # given three tickets, the first wound back ten days as the inbox demo step does
    make_agent(database, email=DEMO_ADMIN_EMAIL, name="Admin", role=Role.ADMIN)
    ids = seed(database, make_agent(database, email="tom@example.com", name="Tom"), email=3, web=0)
    _wind_back(database, ids[0], timedelta(days=10), random.Random(1))
    # when
    made = demo.run(database, 1, lambda n: None)
    # then
    today = utcnow().date()
    flt = ReportFilter(since=today - timedelta(days=14), until=today)
    with database.sessions() as session:
        points = queries.series(session, flt=flt, metrics=["created"], grain="day")
        saved = list_saved_reports(session, actor=Actor.system())
    created = {p.bucket: p.values["created"] for p in points if p.values["created"]}
    assert created == {today - timedelta(days=10): 1, today: 2}
    assert made == 3 + 2
    assert [r.name for r in saved] == ["Refunds and returns this month", "Weekly team report"]
    assert all(r.is_shared for r in saved)
