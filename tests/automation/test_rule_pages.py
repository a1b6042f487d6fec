"""The Rules pages: tabs and empty states, the form editor (no JSON), refusals that keep
what was typed and save nothing, the test panel, ordering and switching on."""

from typing import Any

from sqlalchemy import func, select

from kefu.automation.rules.models import Rule
from kefu.db import Database
from tests.accounts.factories import PASSWORD, make_admin, make_agent
from tests.automation.rule_factories import make_rule, make_team
from tests.tickets.factories import make_ticket
from tests.web.helpers import csrf_token, sign_in


def _manager(client: Any, database: Database) -> str:
    make_admin(database)
    sign_in(client, "admin@example.com", PASSWORD)
    return csrf_token(client.get("/admin/rules").text)


def _count(database: Database) -> int:
    with database.sessions() as session:
        return session.scalar(select(func.count()).select_from(Rule)) or 0


def _form(token: str, team_id: int, **extra: Any) -> dict[str, Any]:
    return {
        "csrf_token": token,
        "kind": "trigger",
        "name": "VIP urgent to Tier 2",
        "is_active": ["", "1"],
        "events": ["message.added"],
        "cond_group": ["all", "all"],
        "cond_field": ["customer.is_vip", "priority"],
        "cond_op": ["is", "is"],
        "cond_value": ["true", "urgent"],
        "act_type": ["assign", "add_tags"],
        "act_value": ["", "escalated"],
        "act_value2": ["", ""],
        "act_team": [str(team_id), ""],
        "act_agent": ["", ""],
        "act_text": ["", ""],
        "act_flag": ["", ""],
        **extra,
    }


def test_empty_tabs_explain_and_offer_the_classic_automations(
    client: Any, database: Database
) -> None:
    _manager(client, database)
    triggers = client.get("/admin/rules")
    assert triggers.status_code == 200 and "No triggers yet" in triggers.text
    automations = client.get("/admin/rules?tab=automations").text
    assert "Pending 7 days → solve" in automations
    assert "template=solved_close" in automations
    assert "No webhooks yet" in client.get("/admin/rules?tab=webhooks").text
    template = client.get("/admin/rules/new?kind=automation&template=pending_solve").text
    assert 'value="hours_since.pending" selected' in template and 'value="168"' in template


def test_a_manager_saves_a_trigger_from_rows_of_inputs(client: Any, database: Database) -> None:
    token = _manager(client, database)
    team = make_team(database)
    response = client.post("/admin/rules/save", data=_form(token, team))
    assert response.status_code == 303, response.text
    with database.sessions() as session:
        rule = session.scalars(select(Rule)).one()
        assert rule.is_active and rule.events == ["message.added"]
        assert rule.conditions["all"] == [
            {"field": "customer.is_vip", "op": "is", "value": True},
            {"field": "priority", "op": "is", "value": "urgent"},
        ]
        assert rule.actions == [
            {"type": "assign", "team_id": team, "agent_id": None, "unassign": False},
            {"type": "add_tags", "tags": ["escalated"]},
        ]
    listing = client.get("/admin/rules").text
    assert "VIP urgent to Tier 2" in listing and "Customer message received" in listing
    editor = client.get(f"/admin/rules/{rule.id}").text
    assert 'value="customer.is_vip" selected' in editor and "escalated" in editor


def test_a_bad_definition_is_refused_with_its_reason_and_keeps_the_form(
    client: Any, database: Database
) -> None:
    token = _manager(client, database)
    team = make_team(database)
    for bad, reason in (
        ({"cond_field": ["customer.is_vip", "colour"]}, "unknown field: colour"),
        (
            {
                "cond_field": ["customer.is_vip", "message.text"],
                "cond_op": ["is", "matches"],
                "cond_value": ["true", "(order"],
            },
            "malformed pattern",
        ),
        (
            {"act_type": ["assign", "add_note"], "act_text": ["", "Hi {{ ticket.subject"]},
            "template error",
        ),
        ({"act_team": ["999", ""]}, "team 999 not found"),
    ):
        response = client.post("/admin/rules/save", data=_form(token, team, **bad))
        assert response.status_code == 422
        assert reason in response.text
        assert 'value="VIP urgent to Tier 2"' in response.text
    assert _count(database) == 0


def test_the_test_panel_says_why_and_what_it_would_do_without_changing_anything(
    client: Any, database: Database
) -> None:
    token = _manager(client, database)
    team = make_team(database)
    ticket = make_ticket(database, priority="urgent")
    form = _form(token, team, test_ticket_id=str(ticket.id))
    answer = client.post("/admin/rules/try", data=form, headers={"HX-Request": "true"})
    assert answer.status_code == 200
    assert 'data-verdict="no"' in answer.text
    assert "Customer is VIP is yes is not so (it is no)" in answer.text
    form["cond_field"] = ["priority", "priority"]
    form["cond_value"] = ["urgent", "urgent"]
    answer = client.post("/admin/rules/try", data=form, headers={"HX-Request": "true"})
    assert 'data-verdict="yes"' in answer.text
    assert "yes, because Priority is urgent" in answer.text
    assert "Add tags: escalated" in answer.text and "Tier 2" in answer.text
    assert _count(database) == 0


def test_rows_come_from_htmx_and_reorder_and_switch(client: Any, database: Database) -> None:
    token = _manager(client, database)
    row = client.get("/admin/rules/row/condition?kind=trigger&cond_field=priority")
    assert 'name="cond_op"' in row.text and "is greater than" in row.text
    action = client.get("/admin/rules/row/action?kind=trigger&act_type=notify")
    assert 'name="act_agent"' in action.text and "In kefu and by email" in action.text
    first, second = make_rule(database, name="first"), make_rule(database, name="second")
    client.post(f"/admin/rules/{second.id}/move", data={"csrf_token": token, "direction": "up"})
    client.post(f"/admin/rules/{first.id}/active", data={"csrf_token": token, "is_active": "0"})
    with database.sessions() as session:
        rules = list(session.scalars(select(Rule).order_by(Rule.position)))
        assert [(r.name, r.is_active) for r in rules] == [("second", True), ("first", False)]


def test_agents_may_not_manage_rules(client: Any, database: Database) -> None:
    make_agent(database, email="bo@example.com")
    sign_in(client, "bo@example.com", PASSWORD)
    assert client.get("/admin/rules").status_code == 403


def test_the_page_reads_in_chinese(client: Any, database: Database) -> None:
    _manager(client, database)
    page = client.get("/admin/rules", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200


def test_webhooks_tab_adds_shows_the_secret_and_refuses_deleting_one_in_use(
    client: Any, database: Database
) -> None:
    from kefu.automation.rules.models import RuleWebhook

    token = _manager(client, database)
    bad = client.post(
        "/admin/rules/webhooks",
        data={
            "csrf_token": token,
            "name": "CRM",
            "url": "ftp://crm",
            "secret": "",
            "is_active": "1",
        },
    )
    assert bad.status_code == 422 and "the URL must start with https://" in bad.text
    assert 'value="CRM"' in bad.text
    added = client.post(
        "/admin/rules/webhooks",
        data={
            "csrf_token": token,
            "name": "CRM",
            "url": "https://crm.example/hook",
            "secret": "shh-its-a-secret",
            "is_active": "1",
        },
    )
    assert added.status_code == 303
    tab = client.get("/admin/rules?tab=webhooks").text
    assert "shh-its-a-secret" in tab and "Nothing sent yet." in tab
    with database.sessions() as session:
        hook = session.scalars(select(RuleWebhook)).one()
        assert "shh-its-a-secret" not in hook.secret_enc
    make_rule(database, name="Uses it", actions=[{"type": "call_webhook", "webhook_id": hook.id}])
    refused = client.post(f"/admin/rules/webhooks/{hook.id}/delete", data={"csrf_token": token})
    assert "rules still call this webhook: Uses it" in client.get(refused.headers["location"]).text
    with database.sessions() as session:
        assert session.scalars(select(RuleWebhook)).all() != []
