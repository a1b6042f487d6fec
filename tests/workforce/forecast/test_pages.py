"""The queue and forecast pages: a manager creates a queue, uploads history (refused rows
listed with their lines), runs the forecast and sees the model and its WAPE, adds an event
and an override; bad input comes back as a 4xx with the reason; agents are kept out."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from kefu.db import Database
from kefu.permissions import Role
from kefu.runtime import Runtime
from kefu.workforce.models import ForecastEvent, ForecastOverride, WorkforceQueue
from tests.accounts.factories import PASSWORD, make_agent
from tests.web.helpers import csrf_token, sign_in
from tests.workforce.forecast.factories import history_csv

NOW = datetime(2026, 11, 9, 3, 0, tzinfo=UTC)
QUEUE_FORM = {
    "name": "Chat – Tmall",
    "channel": "chat",
    "time_zone": "Asia/Shanghai",
    "country": "cn",
    "interval_minutes": "30",
    "is_active": "1",
    "service_level_target": "0.8",
    "answer_within_seconds": "20",
    "max_occupancy": "0.85",
    "shrinkage": "0.3",
    "concurrency": "3",
    "holiday_multiplier": "0.5",
    "aht_seconds": "",
    "team_id": "",
}


def _manager(client: Any, database: Database, runtime: Runtime) -> str:
    runtime.clock = lambda: NOW
    make_agent(database, email="lead@example.com", role=Role.MANAGER)
    sign_in(client, "lead@example.com", PASSWORD)
    return csrf_token(client.get("/workforce/queues").text)


def _count(database: Database, model: Any) -> int:
    with database.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_a_manager_sets_up_a_queue_imports_history_and_forecasts(
    client: Any, database: Database, runtime: Runtime
) -> None:
    token = _manager(client, database, runtime)
    assert "No queue yet" in client.get("/workforce/queues").text
    # a queue with its staffing parameters
    saved = client.post("/workforce/queues", data={**QUEUE_FORM, "csrf_token": token})
    assert saved.status_code == 303
    with database.sessions() as session:
        queue = session.scalars(select(WorkforceQueue)).one()
        assert (queue.country, queue.concurrency, queue.aht_seconds) == ("CN", 3, None)
    # history: two weeks, and a refused row reported by line
    text = history_csv(start=datetime(2026, 10, 25, 16, tzinfo=UTC), days=14,
                       time_zone="Asia/Shanghai")  # fmt: skip
    text += "2026-11-08 25:00,4\n"
    upload = client.post(
        f"/workforce/queues/{queue.id}/history",
        data={"csrf_token": token},
        files={"file": ("history.csv", text.encode(), "text/csv")},
    )
    assert upload.status_code == 200
    assert "673 rows: 672 imported, 0 replaced, 1 rejected." in upload.text.replace("\n", " ")
    assert "<td>674</td><td>start &#39;2026-11-08 25:00&#39; is not a date" in upload.text
    # the forecast page before and after a run
    page = client.get(f"/workforce/forecast?queue_id={queue.id}")
    assert page.status_code == 200 and "No forecast yet" in page.text
    run = client.post(f"/workforce/forecast/{queue.id}/run", data={"csrf_token": token})
    assert run.status_code == 303
    page = client.get(f"/workforce/forecast?queue_id={queue.id}")
    assert 'data-testid="forecast-model"' in page.text and "WAPE" in page.text
    assert "forecast-chart-data" in page.text and "Mon 11-09 00:00" in page.text
    # an event (Shanghai time) and an override show on the page
    event = client.post(f"/workforce/forecast/{queue.id}/events", data={
        "csrf_token": token, "name": "Singles Day", "starts_at": "2026-11-11T20:00",
        "ends_at": "2026-11-12T00:00", "multiplier": "4"})  # fmt: skip
    override = client.post(f"/workforce/forecast/{queue.id}/overrides", data={
        "csrf_token": token, "start_at": "2026-11-10T09:00", "volume": "25",
        "note": "TV ad"})  # fmt: skip
    assert event.status_code == override.status_code == 303
    page = client.get(f"/workforce/forecast?queue_id={queue.id}&day=2026-11-10&days=2").text
    assert "Singles Day: ×4.0, 2026-11-11 20:00 – 2026-11-12 00:00" in page
    assert "2026-11-10 09:00: 25.0 — TV ad" in page and 'class="is-override"' in page


def test_bad_input_is_a_4xx_with_the_reason_and_nothing_saved(
    client: Any, database: Database, runtime: Runtime
) -> None:
    token = _manager(client, database, runtime)
    bad_zone = client.post(
        "/workforce/queues", data={**QUEUE_FORM, "time_zone": "Mars/Base", "csrf_token": token}
    )
    assert bad_zone.status_code == 422 and "unknown time zone" in bad_zone.text
    assert _count(database, WorkforceQueue) == 0
    client.post("/workforce/queues", data={**QUEUE_FORM, "csrf_token": token})
    twice = client.post("/workforce/queues", data={**QUEUE_FORM, "csrf_token": token})
    assert twice.status_code == 409 and "already named" in twice.text
    with database.sessions() as session:
        queue_id = session.scalars(select(WorkforceQueue.id)).one()
    no_file = client.post(f"/workforce/queues/{queue_id}/history", data={"csrf_token": token})
    assert no_file.status_code == 422 and "Choose a CSV file" in no_file.text
    header = client.post(
        f"/workforce/queues/{queue_id}/history", data={"csrf_token": token},
        files={"file": ("h.csv", b"when,count\n", "text/csv")},
    )  # fmt: skip
    assert header.status_code == 422 and "missing: start, contacts" in header.text
    run = client.post(f"/workforce/forecast/{queue_id}/run", data={"csrf_token": token})
    assert run.status_code == 422 and "a forecast needs at least 2 whole weeks" in run.text
    backwards = client.post(f"/workforce/forecast/{queue_id}/events", data={
        "csrf_token": token, "name": "Oops", "starts_at": "2026-11-11T20:00",
        "ends_at": "2026-11-11T19:00", "multiplier": "4"})  # fmt: skip
    assert backwards.status_code == 422 and "must end after it starts" in backwards.text
    off_grid = client.post(f"/workforce/forecast/{queue_id}/overrides", data={
        "csrf_token": token, "start_at": "2026-11-10T09:10", "volume": "5"})  # fmt: skip
    assert off_grid.status_code == 422 and "interval boundary" in off_grid.text
    assert _count(database, ForecastEvent) == _count(database, ForecastOverride) == 0
    assert client.get("/workforce/forecast?queue_id=999").status_code == 404
    assert client.get(f"/workforce/forecast?queue_id={queue_id}&day=someday").status_code == 422


def test_agents_cannot_open_the_workforce_pages(
    client: Any, database: Database, runtime: Runtime
) -> None:
    make_agent(database, email="agent@example.com", role=Role.AGENT)
    sign_in(client, "agent@example.com", PASSWORD)
    assert client.get("/workforce/queues").status_code == 403
    assert client.get("/workforce/forecast").status_code == 403


def test_the_forecast_page_without_queues_says_what_to_do(
    client: Any, database: Database, runtime: Runtime
) -> None:
    _manager(client, database, runtime)
    page = client.get("/workforce/forecast")
    assert page.status_code == 200 and "No queue yet: add one" in page.text
    too_long = client.get("/workforce/forecast?days=90")
    assert too_long.status_code == 422 and "Show 1 to 56 days." in too_long.text
