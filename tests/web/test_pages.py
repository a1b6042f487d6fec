"""The web shell and the sign-in pages, through HTTP."""

from typing import Any

from sqlalchemy import func, select

from kefu.accounts.models import Agent
from kefu.db import Database
from tests.accounts.factories import PASSWORD, make_admin, make_agent
from tests.web.helpers import csrf_token, sign_in


def test_empty_kefu_leads_to_first_run_setup(client: Any, database: Database) -> None:
    assert client.get("/").headers["location"] == "/setup"
    assert client.get("/login").headers["location"] == "/setup"
    page = client.get("/setup")
    response = client.post(
        "/setup",
        data={
            "name": "Boss",
            "email": "boss@example.com",
            "password": "a long password",
            "csrf_token": csrf_token(page.text),
        },
    )
    assert (response.status_code, response.headers["location"]) == (303, "/")
    assert "My open tickets" in client.get("/").text
    assert client.get("/setup").headers["location"] == "/login"


def test_setup_with_short_password_explains_and_creates_nothing(
    client: Any, database: Database
) -> None:
    token = csrf_token(client.get("/setup").text)
    response = client.post(
        "/setup",
        data={
            "name": "Boss",
            "email": "boss@example.com",
            "password": "short",
            "csrf_token": token,
        },
    )
    assert response.status_code == 422
    assert "at least 10 characters" in response.text
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Agent)) == 0


def test_sign_in_and_out(client: Any, database: Database) -> None:
    make_admin(database)
    response = sign_in(client, "admin@example.com", PASSWORD)
    assert (response.status_code, response.headers["location"]) == (303, "/")
    cookie = response.headers["set-cookie"]
    assert "kefu_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    home = client.get("/")
    assert "My open tickets" in home.text and "Ada Admin" in home.text
    out = client.post("/logout", data={"csrf_token": csrf_token(home.text)})
    assert out.headers["location"] == "/login"
    assert client.get("/").headers["location"] == "/login"


def test_wrong_password_shows_an_error(client: Any, database: Database) -> None:
    make_admin(database)
    response = sign_in(client, "admin@example.com", "not the password")
    assert response.status_code == 401
    assert "Wrong email or password." in response.text


def test_sixth_fast_wrong_try_is_throttled_even_with_the_right_password(
    client: Any, database: Database
) -> None:
    make_admin(database)
    codes = [sign_in(client, "admin@example.com", f"wrong {n}").status_code for n in range(5)]
    sixth = sign_in(client, "admin@example.com", PASSWORD)
    assert codes == [401] * 5
    assert sixth.status_code == 429
    assert int(sixth.headers["retry-after"]) > 0
    assert "Too many failed sign-in attempts" in sixth.text


def test_form_without_csrf_token_is_refused(client: Any, database: Database) -> None:
    make_admin(database)
    client.get("/login")
    response = client.post("/login", data={"email": "admin@example.com", "password": PASSWORD})
    assert response.status_code == 403
    assert "kefu_session" not in response.headers.get("set-cookie", "")


def test_open_redirect_after_sign_in_is_refused(client: Any, database: Database) -> None:
    make_admin(database)
    token = csrf_token(client.get("/login").text)
    response = client.post(
        "/login",
        data={
            "email": "admin@example.com",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "//evil.example",
        },
    )
    assert response.headers["location"] == "/"


def test_pages_need_sign_in_and_remember_where_to_return(client: Any, database: Database) -> None:
    make_admin(database)
    assert client.get("/admin/audit").headers["location"] == "/login?next=/admin/audit"


def test_agent_is_refused_admin_pages(client: Any, database: Database) -> None:
    make_agent(database)
    sign_in(client, "agent@example.com", PASSWORD)
    response = client.get("/admin/agents")
    assert response.status_code == 403
    assert "agents.manage" in response.text


def test_language_switch_shows_chinese_and_is_remembered(client: Any, database: Database) -> None:
    make_admin(database)
    sign_in(client, "admin@example.com", PASSWORD)
    home = client.get("/")
    response = client.post(
        "/language", data={"language": "zh_Hans", "next": "/", "csrf_token": csrf_token(home.text)}
    )
    assert response.headers["location"] == "/"
    page = client.get("/")
    assert '<html lang="zh-Hans">' in page.text and "退出" in page.text
    with database.sessions() as session:
        assert session.scalar(select(Agent.language)) == "zh_Hans"


def test_login_page_follows_the_browser_language(client: Any, database: Database) -> None:
    make_admin(database)
    page = client.get("/login", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"})
    assert "登录" in page.text


def test_admin_adds_an_agent_from_the_page(client: Any, database: Database) -> None:
    make_admin(database)
    home = sign_in(client, "admin@example.com", PASSWORD) and client.get("/admin/agents")
    token = csrf_token(home.text)
    ok = client.post(
        "/admin/agents",
        data={
            "name": "陈静",
            "email": "chen@example.com",
            "role": "light_agent",
            "csrf_token": token,
        },
    )
    dup = client.post(
        "/admin/agents",
        data={"name": "Again", "email": "chen@example.com", "role": "agent", "csrf_token": token},
    )
    assert ok.status_code == 303
    assert dup.status_code == 422 and "already exists" in dup.text
    assert "陈静" in client.get("/admin/agents").text


def test_api_token_page_shows_the_token_once(client: Any, database: Database) -> None:
    make_agent(database)
    sign_in(client, "agent@example.com", PASSWORD)
    token = csrf_token(client.get("/account/tokens").text)
    created = client.post("/account/tokens", data={"name": "Order sync", "csrf_token": token})
    raw = created.text.split('<code id="new-token">')[1].split("</code>")[0]
    assert raw.startswith("kefu_")
    assert raw not in client.get("/account/tokens").text
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).json()["email"]
        == "agent@example.com"
    )


def test_unknown_page_is_a_friendly_404(client: Any) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "Page not found" in response.text


def test_healthz_reports_the_database(client: Any, backend: str) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "database": backend, "queue": "sqlite"}


def test_every_form_route_checks_csrf() -> None:
    from fastapi.routing import APIRoute

    from kefu.app import routers
    from kefu.web.deps import api_csrf, csrf_protected

    def checks(dependant: Any) -> bool:
        return dependant.call in (csrf_protected, api_csrf) or any(
            checks(sub) for sub in dependant.dependencies
        )

    unsafe = [
        route
        for router, _prefix, _schema in routers()
        for route in router.routes
        if isinstance(route, APIRoute) and route.methods & {"POST", "PATCH", "DELETE"}
    ]
    signed = [r for r in unsafe if getattr(r.endpoint, "__kefu_signed_by_the_sender__", False)]
    assert [r.path for r in signed] == [
        "/webhooks/shopify/{store_id}",
        "/webhooks/woocommerce/{store_id}",
        "/webhooks/carriers/{code}",
        "/webhooks/reviews/woocommerce/{store_id}",
        "/webhooks/reviews/{store_id}",
    ]
    # called cross-origin by the chat widget with the visitor's token in a header, no cookie
    by_token = [r for r in unsafe if getattr(r.endpoint, "__kefu_visitor_token__", False)]
    assert [r.path for r in by_token] == ["/chat/upload"]
    assert [r.path for r in unsafe if not checks(r.dependant) and r not in signed + by_token] == []


def test_navigation_shows_only_what_the_role_may_open(client: Any, database: Database) -> None:
    from kefu.permissions import Role

    make_agent(database, email="finance@example.com", role=Role.LIGHT_AGENT)
    sign_in(client, "finance@example.com", PASSWORD)
    light_home = client.get("/").text
    assert 'href="/admin"' not in light_home and 'href="/account/tokens"' not in light_home
    assert client.get("/account/tokens").status_code == 403
    assert client.get("/admin").status_code == 403
    client.cookies.clear()
    make_admin(database)
    sign_in(client, "admin@example.com", PASSWORD)
    assert 'href="/admin"' in client.get("/").text
    settings = client.get("/admin").text
    assert 'href="/admin/audit"' in settings and 'href="/admin/agents"' in settings


def test_a_manager_sees_the_settings_of_their_role_only(client: Any, database: Database) -> None:
    from kefu.permissions import Role

    # given a manager (teams, policies, logistics; not agents, mailboxes, audit)
    make_agent(database, email="lead@example.com", role=Role.MANAGER)
    sign_in(client, "lead@example.com", PASSWORD)
    # when
    settings = client.get("/admin").text
    # then
    assert 'href="/admin/teams"' in settings and 'href="/admin/policies"' in settings
    assert 'href="/admin/agents"' not in settings and 'href="/admin/audit"' not in settings
    assert 'href="/admin/mailboxes"' not in settings


def test_failed_commit_is_reported_before_the_response(
    client: Any, database: Database, monkeypatch: Any
) -> None:
    # given an admin on the agents page
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.orm import Session

    make_admin(database)
    sign_in(client, "admin@example.com", PASSWORD)
    token = csrf_token(client.get("/admin/agents").text)

    # when the database refuses the commit
    def refuse(self: Session) -> None:
        raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(Session, "commit", refuse)
    response = client.post(
        "/admin/agents",
        data={"name": "Lost", "email": "lost@example.com", "role": "agent", "csrf_token": token},
    )
    monkeypatch.undo()
    # then the browser hears that nothing was saved, and nothing was
    assert response.status_code == 503 and "nothing was saved" in response.text
    with database.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Agent)) == 1


def test_admin_changes_role_and_deactivates_an_agent(client: Any, database: Database) -> None:
    make_admin(database)
    agent = make_agent(database, name="Liam Carter")
    sign_in(client, "admin@example.com", PASSWORD)
    page = client.get(f"/admin/agents/{agent.id}")
    assert page.status_code == 200 and "Liam Carter" in page.text
    saved = client.post(
        f"/admin/agents/{agent.id}",
        data={
            "name": "Liam Carter",
            "role": "manager",
            "language": "zh_Hans",
            "csrf_token": csrf_token(page.text),
        },
    )  # is_active unchecked
    assert saved.headers["location"] == "/admin/agents"
    with database.sessions() as session:
        stored = session.get_one(Agent, agent.id)
    assert (stored.role, stored.language, stored.is_active) == ("manager", "zh_Hans", False)
    blank = client.post(
        f"/admin/agents/{agent.id}",
        data={"name": "", "role": "agent", "csrf_token": csrf_token(page.text)},
    )
    assert blank.status_code == 422
    with database.sessions() as session:
        assert session.get_one(Agent, agent.id).role == "manager"


def test_admin_saving_own_profile_keeps_role_and_access(client: Any, database: Database) -> None:
    admin = make_admin(database)
    sign_in(client, "admin@example.com", PASSWORD)
    page = client.get(f"/admin/agents/{admin.id}")
    assert "You cannot change your own role" in page.text
    saved = client.post(
        f"/admin/agents/{admin.id}",
        data={
            "name": "Ada Lovelace",
            "role": "admin",
            "is_active": "1",
            "csrf_token": csrf_token(page.text),
        },
    )
    assert saved.status_code == 303
    assert '<span class="user">Ada Lovelace</span>' in client.get("/").text


def test_manager_builds_a_team_from_the_page(client: Any, database: Database) -> None:
    from kefu.accounts.service import members_by_team
    from kefu.permissions import Role

    make_agent(database, email="lead@example.com", name="Lead", role=Role.MANAGER)
    agent = make_agent(database, email="wang@example.com", name="王芳")
    sign_in(client, "lead@example.com", PASSWORD)
    page = client.get("/admin/teams")
    assert "No teams yet" in page.text
    token = csrf_token(page.text)
    assert (
        client.post("/admin/teams", data={"name": "售后服务", "csrf_token": token}).status_code
        == 303
    )
    dup = client.post("/admin/teams", data={"name": "售后服务", "csrf_token": token})
    assert dup.status_code == 422 and "already exists" in dup.text
    with database.sessions() as session:
        team_id = service_team_id(session, "售后服务")
    client.post(f"/admin/teams/{team_id}/members", data={"agent_id": agent.id, "csrf_token": token})
    assert "王芳" in client.get("/admin/teams").text
    client.post(f"/admin/teams/{team_id}/members/{agent.id}/remove", data={"csrf_token": token})
    with database.sessions() as session:
        from kefu.kit.actor import Actor

        assert members_by_team(session, actor=Actor.system()) == {}


def service_team_id(session: Any, name: str) -> int:
    from kefu.accounts.models import Team

    return session.scalars(select(Team.id).where(Team.name == name)).one()
