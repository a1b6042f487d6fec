"""In a real browser: a manager writes "VIP + urgent → Tier 2, tag escalated" with the form
editor (HTMX rows), tests it against a ticket, saves it, and it acts on the next customer
message; the editor fits a phone."""

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from kefu.db import Database
from kefu.permissions import Role
from kefu.tickets import service as tickets
from tests.accounts.factories import make_agent
from tests.automation.rule_factories import (
    make_team,
    make_vip,
    run_rule_handlers,
    tags,
    update,
)
from tests.tickets.factories import receive
from tests.tickets.test_inbox_browser import signed_in_page

pytestmark = pytest.mark.slow


def test_manager_writes_tests_and_saves_a_trigger_that_then_acts(
    browser: Any, live_server: str, database: Database
) -> None:
    # given a VIP's urgent ticket and a Tier 2 team
    manager = make_agent(database, email="mia@example.com", name="Mia", role=Role.MANAGER)
    tier2 = make_team(database, "Tier 2")
    first = receive(database, text="My order is late")
    run_rule_handlers(database)
    make_vip(database, first.customer_id)
    update(database, first.ticket_id, priority="urgent")
    run_rule_handlers(database)
    context, page = signed_in_page(browser, live_server, manager.email)

    # when the manager writes the trigger in the form
    page.goto(f"{live_server}/admin/rules?tab=triggers")
    page.get_by_role("link", name="New trigger").click()
    page.get_by_label("Name").fill("VIP urgent to Tier 2")
    page.get_by_label("Customer message received").check()
    rows = page.locator("#cond-all .rule-row")
    rows.nth(0).locator("select[name=cond_field]").select_option("customer.is_vip")
    expect(rows.nth(0).locator("select[name=cond_value]")).to_have_value("true")
    page.get_by_role("button", name="Add a condition").first.click()
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).not_to_have_class(re.compile("htmx-added"))
    rows.nth(1).locator("select[name=cond_field]").select_option("priority")
    expect(rows.nth(1).locator("select[name=cond_value] option[value=urgent]")).to_have_count(1)
    rows.nth(1).locator("select[name=cond_value]").select_option("urgent")
    actions = page.locator("#rule-actions .rule-row")
    actions.nth(0).locator("select[name=act_type]").select_option("assign")
    expect(actions.nth(0).locator("select[name=act_team]")).to_be_visible()
    actions.nth(0).locator("select[name=act_team]").select_option(str(tier2))
    page.get_by_role("button", name="Add an action").click()
    expect(actions).to_have_count(2)
    expect(actions.nth(1)).not_to_have_class(re.compile("htmx-added"))
    actions.nth(1).locator("select[name=act_type]").select_option("add_tags")
    tags_input = actions.nth(1).get_by_placeholder("several, separated by commas")
    expect(tags_input).to_be_visible()
    tags_input.fill("escalated")
    # and tests it against the ticket
    page.get_by_label("Ticket #").fill(str(first.ticket_id))
    page.get_by_role("button", name="Test", exact=True).click()
    result = page.locator("#test-result")
    expect(result).to_contain_text("yes, because Customer is VIP is yes and Priority is urgent")
    expect(result).to_contain_text("Assign: Tier 2")
    # then saves it, switched on
    page.get_by_label("Switched on").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("“VIP urgent to Tier 2” saved.")).to_be_visible()
    expect(page.get_by_role("link", name="VIP urgent to Tier 2")).to_be_visible()

    # when the customer writes again, the trigger acts
    receive(database, text="Any news?", ticket_id=first.ticket_id)
    run_rule_handlers(database)
    with database.sessions() as session:
        assert tickets.get_ticket(session, first.ticket_id).team_id == tier2
    assert tags(database, first.ticket_id) == ["escalated"]

    # a refusal keeps what was typed
    page.goto(f"{live_server}/admin/rules/new?kind=trigger")
    page.get_by_label("Name").fill("Broken")
    page.get_by_label("Ticket created").check()
    rows.nth(0).locator("select[name=cond_field]").select_option("subject")
    # redrawn for a text field: no "greater than" among its operators
    expect(rows.nth(0).locator("option[value=greater_than]")).to_have_count(0)
    expect(rows.nth(0)).not_to_have_class(re.compile("htmx-added"))
    rows.nth(0).locator("select[name=cond_op]").select_option("matches")
    pattern = rows.nth(0).get_by_placeholder("a regular expression")
    expect(pattern).to_be_visible()
    pattern.fill("(refund")
    page.locator("#rule-actions select[name=act_type]").select_option("add_tags")
    page.locator("#rule-actions").get_by_placeholder("several, separated by commas").fill("x")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text(re.compile("malformed pattern"))
    expect(page.get_by_label("Name")).to_have_value("Broken")
    context.close()

    # the editor fits a phone
    phone_context, phone = signed_in_page(
        browser, live_server, manager.email, viewport={"width": 390, "height": 844}
    )
    phone.goto(f"{live_server}/admin/rules/new?kind=trigger")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone_context.close()
