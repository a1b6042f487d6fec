"""Issue 7's done-when in a real browser: a manager writes the trigger "VIP + urgent → team
Tier 2, tag escalated" and an SLA policy in the editors; a VIP's urgent message arrives over
the API; the outbox runs every handler (rules, assignment, SLA); the ticket is with Tier 2's
online agent, tagged, and shows its clock; when the clock (the runtime's, moved on) runs out,
the minute job reports the breach, a breach trigger notifies the manager, and both show."""

import re
from datetime import timedelta
from typing import Any

import httpx2 as httpx
import pytest
from playwright.sync_api import expect

from kefu.automation.assignment.schemas import Method
from kefu.customers import service as customers
from kefu.customers.schemas import CustomerCreate
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.kit.actor import Actor
from kefu.kit.clock import as_utc
from kefu.permissions import Role
from kefu.runtime import Runtime
from kefu.sla.jobs import check_clocks
from kefu.tickets import service as tickets
from tests.accounts.factories import make_agent
from tests.api.helpers import token_for
from tests.automation.assign_factories import make_team
from tests.automation.rule_factories import make_rule, tags
from tests.sla.factories import clocks
from tests.tickets.test_inbox_browser import signed_in_page

pytestmark = pytest.mark.slow


def settle(database: Database) -> None:
    """Run the outbox until every handler's consequences have run too."""
    for _ in range(20):
        if dispatch_due(database).ran == 0:
            return
    raise AssertionError("the outbox did not settle")


def write_trigger(page: Any, base: str, tier2: int) -> None:
    page.goto(f"{base}/admin/rules?tab=triggers")
    page.get_by_role("link", name="New trigger").click()
    page.get_by_label("Name").fill("VIP urgent to Tier 2")
    page.get_by_label("Ticket created").check()
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
    actions.nth(0).locator("select[name=act_team]").select_option(str(tier2))
    page.get_by_role("button", name="Add an action").click()
    expect(actions).to_have_count(2)
    expect(actions.nth(1)).not_to_have_class(re.compile("htmx-added"))
    actions.nth(1).locator("select[name=act_type]").select_option("add_tags")
    actions.nth(1).get_by_placeholder("several, separated by commas").fill("escalated")
    page.get_by_label("Switched on").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("“VIP urgent to Tier 2” saved.")).to_be_visible()


def write_sla_policy(page: Any, base: str) -> None:
    page.goto(f"{base}/admin/sla")
    page.get_by_role("link", name="New SLA policy").click()
    page.get_by_label("Name").fill("Urgent within 30 minutes")
    page.get_by_label("First reply · Urgent").fill("30")
    page.get_by_label("First reply · Normal").fill("240")
    page.get_by_label("Count").select_option("calendar")
    page.get_by_label("Warn this many minutes before a breach").fill("10")
    page.get_by_role("button", name="Save SLA policy").click()
    expect(page.get_by_text("SLA policy saved.")).to_be_visible()


def test_a_managers_trigger_and_sla_act_on_a_vip_urgent_message_until_the_breach(
    browser: Any, live_server: str, database: Database, runtime: Runtime
) -> None:
    # given a manager, team Tier 2 (round robin) with Tom online, and a VIP customer
    manager = make_agent(database, email="mia@example.com", name="Mia", role=Role.MANAGER)
    tier2, [tom] = make_team(database, name="Tier 2", members=1, method=Method.ROUND_ROBIN)
    with database.unit_of_work(actor=Actor.system()) as session:
        customers.create_customer(
            session,
            actor=Actor.system(),
            data=CustomerCreate(name="Grace Ho", emails=["grace@example.com"], is_vip=True),
        )
    # and the manager is told of breaches by a second trigger
    make_rule(
        database,
        name="Breaches to Mia",
        events=["sla.breached"],
        actions=[{"type": "notify", "agent_id": manager.id, "message": "SLA breached"}],
    )
    context, page = signed_in_page(browser, live_server, manager.email)
    # when the manager writes the trigger and the SLA policy in the editors
    write_trigger(page, live_server, tier2)
    write_sla_policy(page, live_server)
    # and a VIP's urgent message arrives (a store's contact form, over the API)
    sent = httpx.post(
        f"{live_server}/api/v1/inbound-messages",
        headers=token_for(database, manager),
        json={
            "channel": "web",
            "source_id": "form-20261205-1",
            "sender": {"email": "grace@example.com", "name": "Grace Ho"},
            "subject": "Wrong item in my order",
            "body_text": "I received a blue coat, I ordered a red one. I need it tomorrow.",
            "priority": "urgent",
        },
    )
    assert sent.status_code == 201, sent.text
    ticket_id = sent.json()["ticket_id"]
    settle(database)
    # then the ticket is Tier 2's, with Tom, tagged, and shows its running clock
    with database.sessions() as session:
        ticket = tickets.get_ticket(session, ticket_id)
        assert (ticket.team_id, ticket.assignee_id, ticket.priority) == (tier2, tom, "urgent")
    assert tags(database, ticket_id) == ["escalated"]
    page.goto(f"{live_server}/tickets/{ticket_id}")
    expect(page.locator("#prop-team")).to_have_value(str(tier2))
    expect(page.locator("#prop-assignee")).to_have_value(str(tom))
    expect(page.locator("#prop-tags")).to_have_value("escalated")
    expect(page.locator("#sla-panel")).to_contain_text(
        re.compile(r"First reply due in (29|30) min")
    )
    # when the clock runs out and the minute job runs
    due = as_utc(clocks(database, ticket_id)["first_reply"].due_at)
    # (from the message's event, a few milliseconds after the ticket row)
    assert abs(due - as_utc(ticket.created_at) - timedelta(minutes=30)) < timedelta(seconds=1)
    runtime.clock = lambda: due + timedelta(minutes=1)
    assert check_clocks() == {"warned": 1, "breached": 1}
    settle(database)
    # then the ticket shows the breach and the manager has been told
    page.reload()
    expect(page.locator("#sla-panel")).to_contain_text("First reply breached 1 minute ago")
    page.goto(f"{live_server}/views/all_open")
    row = page.locator(".ticket-row", has_text="Wrong item in my order")
    expect(row.get_by_text("SLA breached")).to_be_visible()
    page.goto(f"{live_server}/notifications")
    expect(page.get_by_text(f"ticket #{ticket_id} needs your attention")).to_be_visible()
    # and the job run again reports nothing twice
    assert check_clocks() == {"warned": 0, "breached": 0}
    context.close()
