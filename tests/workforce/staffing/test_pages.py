"""The staffing page: a queue's week of requirements with its chart data, the one-interval
calculator (the CLI's numbers), refusals with their reason, and managers only."""

import json
import re
from datetime import UTC, datetime
from typing import Any

from kefu.db import Database
from kefu.permissions import Role
from tests.accounts.factories import PASSWORD, make_agent
from tests.web.helpers import sign_in
from tests.workforce.staffing.factories import make_forecast, make_queue

MONDAY = datetime(2026, 11, 9, tzinfo=UTC)
CALCULATOR = {
    "calc": "1", "volume": "100", "interval_minutes": "30", "aht_seconds": "180",
    "service_level": "0.8", "answer_within_seconds": "20", "max_occupancy": "0.85",
    "shrinkage": "0.3", "concurrency": "1", "patience_seconds": "", "asa_target_seconds": "",
}  # fmt: skip


def _manager(client: Any, database: Database) -> None:
    make_agent(database, email="lead@example.com", role=Role.MANAGER)
    sign_in(client, "lead@example.com", PASSWORD)


def _cell(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">([^<]*)<', html)
    assert match, testid
    return match.group(1)


def test_without_queues_the_page_says_what_to_do(client: Any, database: Database) -> None:
    _manager(client, database)
    response = client.get("/workforce/staffing")
    assert response.status_code == 200
    assert "No queue yet" in response.text
    assert "One interval" in response.text  # the calculator works without a queue


def test_a_week_of_requirements_per_interval(client: Any, database: Database) -> None:
    # given a phone queue forecast for Monday 00:00-02:00 UTC
    _manager(client, database)
    queue = make_queue(database)
    make_forecast(database, queue_id=queue.id, start=MONDAY, volumes=[100, 40, 0, 250])
    # when
    html = client.get(f"/workforce/staffing?queue_id={queue.id}&day=2026-11-11").text
    # then the week from Monday shows each interval's agents, in the table and the chart data
    assert 'value="2026-11-09"' in html
    assert "Mon 11-09 00:00" in html
    chart = json.loads(re.search(r'id="staffing-chart-data">(.*?)</script>', html).group(1))
    assert chart["series"]["raw"][0] == 14
    assert chart["series"]["scheduled"][0] == 20
    assert chart["series"]["labels"][:2] == ["Mon 11-09 00:00", "Mon 11-09 00:30"]
    assert "Peak: " in html
    assert "88.8 %" in html  # the 100-contact interval's service level


def test_a_queue_without_a_forecast_shows_an_empty_state(client: Any, database: Database) -> None:
    _manager(client, database)
    queue = make_queue(database)
    html = client.get(f"/workforce/staffing?queue_id={queue.id}&day=2026-11-11").text
    assert "No forecast for this week yet" in html


def test_the_calculator_gives_the_clis_answer(client: Any, database: Database) -> None:
    _manager(client, database)
    html = client.get("/workforce/staffing", params=CALCULATOR).text
    assert _cell(html, "raw-agents") == "14"
    assert _cell(html, "scheduled-agents") == "20"
    assert "88.8 %" in html and "71.4 %" in html and "17.4 %" in html


def test_the_calculator_with_patience_is_erlang_a(client: Any, database: Database) -> None:
    _manager(client, database)
    html = client.get("/workforce/staffing", params={**CALCULATOR, "patience_seconds": "300"}).text
    assert _cell(html, "raw-agents") == "13"
    assert "Erlang A" in html and "Abandonment" in html


def test_the_calculator_refuses_bad_input_with_the_reason(client: Any, database: Database) -> None:
    _manager(client, database)
    response = client.get("/workforce/staffing", params={**CALCULATOR, "shrinkage": "1.5"})
    assert response.status_code == 422
    assert "shrinkage must be at least 0 and less than 1" in response.text
    assert 'value="1.5"' in response.text  # what was typed is kept
    response = client.get("/workforce/staffing", params={**CALCULATOR, "volume": "lots"})
    assert response.status_code == 422
    assert "lots is not a number" in response.text


def test_a_bad_week_is_refused(client: Any, database: Database) -> None:
    _manager(client, database)
    queue = make_queue(database)
    response = client.get(f"/workforce/staffing?queue_id={queue.id}&day=someday")
    assert response.status_code == 422
    assert "someday is not a date" in response.text


def test_agents_cannot_see_the_staffing_page(client: Any, database: Database) -> None:
    make_agent(database, email="ann@example.com", role=Role.AGENT)
    sign_in(client, "ann@example.com", PASSWORD)
    assert client.get("/workforce/staffing").status_code == 403
