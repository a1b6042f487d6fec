"""The dashboards through HTTP: who may read them, the figures with their previous period,
empty states, bad filters refused with a reason."""

import html
import re
from typing import Any

import pytest

from kefu.db import Database
from kefu.permissions import Role
from tests.accounts.factories import make_agent
from tests.analytics.reports.factories import figure, manager, seed

SECTIONS = (
    "overview",
    "channel",
    "store",
    "tag",
    "type",
    "intent",
    "heatmap",
    "agent",
    "team",
    "commerce",
)


def test_an_agent_may_not_read_reports(client: Any, database: Database) -> None:
    # given
    manager(client, database, role=Role.AGENT, email="al@example.com")
    # when
    pages = [
        client.get(path) for path in ("/reports", "/reports/dashboard/overview", "/reports/live")
    ]
    # then
    assert [p.status_code for p in pages] == [403, 403, 403]


def test_signed_out_readers_go_to_the_login(client: Any, database: Database) -> None:
    page = client.get("/reports/dashboard/overview")
    assert page.status_code == 303
    assert page.headers["location"].startswith("/login")


@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_shows_its_empty_state_with_no_tickets(
    client: Any, database: Database, section: str
) -> None:
    manager(client, database)
    page = client.get(f"/reports/dashboard/{section}")
    assert page.status_code == 200, page.text
    assert "Nothing in this period" in page.text


def test_the_overview_counts_created_and_solved_with_the_previous_period(
    client: Any, database: Database
) -> None:
    # given 5 tickets, 2 answered and solved
    boss = manager(client, database)
    agent = make_agent(database, email="tom@example.com", name="Tom")
    seed(database, agent)
    # when
    page = client.get("/reports/dashboard/overview?range=last_7")
    # then
    assert page.status_code == 200
    assert figure(page.text, "created") == ("5", "0", "5.0")
    assert figure(page.text, "solved") == ("2", "0", "2.0")
    assert figure(page.text, "backlog") == ("3", "", "")  # open now: no comparison
    assert "▲ 5" in page.text
    assert boss.id


def test_the_channel_breakdown_has_one_row_per_channel(client: Any, database: Database) -> None:
    manager(client, database)
    agent = make_agent(database, email="tom@example.com", name="Tom")
    seed(database, agent)
    page = client.get("/reports/dashboard/channel")
    assert page.status_code == 200
    assert "Email" in page.text and "Web" in page.text
    assert "metric=created&amp;key=channel%3Aemail" in page.text


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("range=fortnight", "range"),
        ("since=2026-02-01&until=2026-01-01", "ends before it starts"),
        ("since=2020-01-01&until=2026-01-01", "at most"),
        ("since=yesterday", "since"),
        ("channel=pigeon", "channel"),
        ("team_id=abc", "team_id"),
        ("time_zone=Mars/Olympus", "time zone"),
        ("range=custom", "start and an end"),
    ],
)
def test_bad_filters_are_refused_with_a_reason(
    client: Any, database: Database, query: str, reason: str
) -> None:
    manager(client, database)
    page = client.get(f"/reports/dashboard/overview?{query}")
    assert page.status_code == 422
    assert reason in page.text


def test_an_unknown_section_is_not_found(client: Any, database: Database) -> None:
    manager(client, database)
    assert client.get("/reports/dashboard/everything").status_code == 404


def test_the_hub_links_every_dashboard_and_the_older_reports(
    client: Any, database: Database
) -> None:
    manager(client, database)
    page = client.get("/reports")
    assert page.status_code == 200
    for path in (
        "/reports/dashboard/overview",
        "/reports/live",
        "/reports/feedback",
        "/reports/returns",
    ):
        assert f'href="{path}"' in page.text
    assert 'href="/reports" aria-current="page"' in page.text


@pytest.mark.parametrize("section", ["overview", "heatmap"])
def test_a_chinese_reader_gets_the_page_in_chinese(
    client: Any, database: Database, section: str
) -> None:
    agent = make_agent(
        database, email="li@example.com", name="李经理", role=Role.MANAGER, language="zh_Hans"
    )
    from tests.accounts.factories import PASSWORD
    from tests.web.helpers import sign_in

    sign_in(client, agent.email, PASSWORD)
    page = client.get(f"/reports/dashboard/{section}")
    assert page.status_code == 200
    assert '<html lang="zh-Hans">' in page.text


def test_each_heat_map_cell_opens_the_tickets_created_in_it(
    client: Any, database: Database
) -> None:
    # given 5 tickets created now
    manager(client, database)
    agent = make_agent(database, email="tom@example.com", name="Tom")
    seed(database, agent)
    # when the manager opens the heat map and follows its one non-empty cell
    page = client.get("/reports/dashboard/heatmap?range=last_7&time_zone=UTC")
    links = re.findall(r'href="(/reports/tickets\?[^"]*cell=\d+:\d+[^"]*)"', page.text)
    assert len(links) == 1
    drill = client.get(html.unescape(links[0]))
    # then it lists the 5 tickets; a bad cell is refused with a reason
    assert drill.status_code == 200
    assert drill.text.count('href="/tickets/') >= 5
    assert "Mail 0" in drill.text and "Form 1" in drill.text
    bad = client.get("/reports/tickets?metric=created&cell=noon")
    assert bad.status_code == 422 and "cell" in bad.text


def test_the_commerce_figures_link_to_the_pre_sale_conversations(
    client: Any, database: Database
) -> None:
    # given answered tickets (so the section has figures to show)
    manager(client, database)
    seed(database, make_agent(database, email="tom@example.com", name="Tom"))
    page = client.get("/reports/dashboard/commerce?range=last_7")
    assert page.status_code == 200
    assert 'metric=presale"' in page.text
    assert "metric=presale_converted" in page.text
    assert 'href="/reports/returns?start=' in page.text
    drill = client.get("/reports/tickets?range=last_7&metric=presale_converted")
    assert drill.status_code == 200
