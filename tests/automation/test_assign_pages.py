"""Assignment in the UI and API: the status switch, statuses in the agents list, a team's
method and capacities saved (and refused when wrong), skills given."""

from typing import Any

from kefu.accounts import auth
from kefu.accounts import service as accounts
from kefu.automation.assignment import service
from kefu.automation.assignment.schemas import AgentStatusValue
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.kit.actor import Actor
from kefu.permissions import Role
from tests.accounts.factories import PASSWORD, make_agent
from tests.api.helpers import headers_for, problem
from tests.automation.assign_factories import make_team
from tests.web.helpers import csrf_token, sign_in


def _manager(client: Any, database: Database) -> Any:
    agent = make_agent(database, email="lead@example.com", name="Lead", role=Role.ADMIN)
    sign_in(client, agent.email, PASSWORD)
    return agent


def test_the_top_bar_switch_sets_my_status(client: Any, database: Database) -> None:
    # given
    me = _manager(client, database)
    page = client.get("/")
    switch = client.get("/account/status")
    # when
    saved = client.post(
        "/account/status",
        data={"csrf_token": csrf_token(page.text), "status": "away"},
        headers={"HX-Request": "true"},
    )
    statuses = client.get("/admin/agent-statuses")
    # then
    assert 'hx-get="/account/status"' in page.text
    assert '<option value="offline" selected>Offline</option>' in switch.text
    assert '<option value="away" selected>Away</option>' in saved.text
    assert f'id="agent-status-{me.id}" hx-swap-oob="true"' in statuses.text
    with database.unit_of_work() as session:
        assert service.status_of(session, me.id) == "away"


def test_a_manager_sets_a_teams_method_and_capacities(client: Any, database: Database) -> None:
    # given
    _manager(client, database)
    team_id, (a, b) = make_team(database, members=2)
    page = client.get(f"/admin/teams/{team_id}/assignment")
    token = csrf_token(page.text)
    # when
    saved = client.post(
        f"/admin/teams/{team_id}/assignment",
        data={
            "csrf_token": token,
            "method": "least_loaded",
            "default_capacity": "5",
            f"capacity.{a}": "8",
            f"capacity.{b}": "",
        },
    )
    refused = client.post(
        f"/admin/teams/{team_id}/assignment",
        data={"csrf_token": token, "method": "skills", "default_capacity": "lots"},
    )
    skill = client.post(
        f"/admin/teams/{team_id}/skills",
        data={"csrf_token": token, "agent_id": str(a), "skill": "Language:zh"},
    )
    # then
    assert page.status_code == 200 and "Round robin" in page.text
    assert saved.status_code == 303
    assert refused.status_code == 422 and "A capacity is a whole number" in refused.text
    assert skill.status_code == 303
    with database.unit_of_work() as session:
        settings = service.team_settings(session, team_id)
        assert (settings.method, settings.default_capacity) == ("least_loaded", 5)
        assert settings.capacities == {a: 8}
        assert accounts.skills_of(session, [a])[a] == {"language:zh": 3}


def test_the_api_sets_status_and_team_assignment(client: Any, database: Database) -> None:
    # given
    admin = headers_for(database, Role.ADMIN)
    agent_headers = headers_for(database, Role.AGENT)
    team_id, (a,) = make_team(database, members=1, online=0)
    # when
    mine = client.put(f"/api/v1/agents/{a}/status", json={"status": "online"}, headers=admin)
    forbidden = client.put(
        f"/api/v1/agents/{a}/status", json={"status": "away"}, headers=agent_headers
    )
    settings = client.put(
        f"/api/v1/teams/{team_id}/assignment",
        json={"method": "skills", "default_capacity": 3, "capacities": {str(a): 4}},
        headers=admin,
    )
    stranger = client.put(
        f"/api/v1/teams/{team_id}/assignment",
        json={"method": "skills", "capacities": {"999": 4}},
        headers=admin,
    )
    listed = client.get("/api/v1/agents/statuses", headers=agent_headers)
    # then
    assert mine.json() == {"agent_id": a, "status": "online"}
    problem(forbidden, 403, "permission_denied")
    assert settings.json() == {
        "team_id": team_id,
        "method": "skills",
        "default_capacity": 3,
        "capacities": {str(a): 4},
    }
    problem(stranger, 422, "invalid_input")
    assert {"agent_id": a, "status": "online"} in listed.json()
    with database.unit_of_work(actor=Actor.system()) as session:
        assert service.team_settings(session, team_id).capacities == {a: 4}


def test_signing_out_of_the_last_browser_sets_the_agent_offline(
    client: Any, database: Database
) -> None:
    # given: online, signed in twice (another browser), then out of one, then the other
    me = _manager(client, database)
    with database.unit_of_work() as session:
        service.set_status(
            session, actor=Actor.system(), agent_id=me.id, status=AgentStatusValue.ONLINE
        )
        other_browser = auth.start_session(
            session, agent=accounts.get_agent(session, me.id), days=1, ip=None, user_agent=None
        ).token
    dispatch_due(database)
    # when
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/").text)})
    dispatch_due(database)
    with database.unit_of_work() as session:
        after_first = service.status_of(session, me.id)
        auth.end_session(session, token=other_browser)
    dispatch_due(database)
    # then
    with database.unit_of_work() as session:
        assert after_first == "online"
        assert service.status_of(session, me.id) == "offline"
