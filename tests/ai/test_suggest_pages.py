"""Suggested replies on the ticket page and in the reports: the panel loads beside the reply
box, an insert and a send are counted, the report and its drill-down show them, bad requests
are refused with a reason, and a switched-off feature shows no panel."""

import re
from typing import Any

from kefu.ai import switches
from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.permissions import Role
from tests.accounts.factories import PASSWORD, make_agent
from tests.ai.suggest_factories import (
    customer_writes,
    make_desk,
    make_macro,
    settle,
    shipped_order,
    solved_conversation,
)
from tests.web.helpers import csrf_token, sign_in

SYSTEM = Actor.system()


def _ticket(database: Database) -> int:
    desk = make_desk(database)
    shipped_order(database, store_id=desk.store_id, number="1001", tracking=None)
    shipped_order(
        database,
        store_id=desk.store_id,
        number="2002",
        email="old@example.com",
        tracking="RM555555555GB",
    )
    solved_conversation(
        database,
        agent=desk.agent,
        store_id=desk.store_id,
        subject="Parcel",
        question="My parcel has not arrived yet, where is it?",
        answer="Your order is on its way; the tracking number is RM555555555GB.",
    )
    make_macro(database, name="Cancel an order", en="I have cancelled order {{ order.number }}.")
    ticket_id = customer_writes(
        database,
        store_id=desk.store_id,
        subject="parcel",
        text="My parcel has not arrived yet, where is it?",
    )
    settle(database)
    return ticket_id


def test_an_agent_inserts_a_suggestion_sends_it_and_the_report_counts_it(
    client: Any, database: Database
) -> None:
    # given
    ticket_id = _ticket(database)
    sign_in(client, "sam@example.com", PASSWORD)
    page = client.get(f"/tickets/{ticket_id}").text
    token = csrf_token(page)
    assert "data-suggest " in page and f'hx-get="/tickets/{ticket_id}/suggestions"' in page
    assert "Alt+1, Alt+2, Alt+3" in page
    # when: the panel loads, the agent inserts the first and sends it unchanged
    panel = client.get(f"/tickets/{ticket_id}/suggestions").text
    ids = re.findall(r'data-suggestion="(\d+)"', panel)
    texts = re.findall(r'data-text="([^"]*)"', panel)
    assert ids and "<kbd>Alt+1</kbd>" in panel and "Past answer" in panel
    # the ticket's order has no tracking number yet: marked, not invented
    assert "tracking number is [order.tracking_number]." in panel and "RM555" not in panel
    assert "(this ticket has no value for it): order.tracking_number</p>" in panel
    inserted = client.post(
        f"/tickets/{ticket_id}/suggestions/{ids[0]}/inserted", headers={"X-CSRF-Token": token}
    )
    assert inserted.status_code == 200 and inserted.json()["source"] == "reply"
    text = texts[0].replace("&#39;", "'").replace("&amp;", "&").replace("&#34;", '"')
    sent = client.post(
        f"/tickets/{ticket_id}/messages",
        data={"csrf_token": token, "kind": "reply", "body": text, "suggestion_id": ids[0]},
    )
    assert sent.status_code == 303
    # then: a manager sees it on the report and finds the ticket behind the number
    make_agent(database, email="mia@example.com", name="Mia", role=Role.MANAGER)
    client.cookies.clear()
    sign_in(client, "mia@example.com", PASSWORD)
    assert 'href="/reports/suggestions"' in client.get("/reports").text
    html = client.get("/reports/suggestions").text
    row = re.search(r'<tr data-source="reply">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r'data-stage="(\w+)">(.*?)</td>', row)
    assert [(stage, re.sub(r"<[^>]+>", "", value)) for stage, value in cells] == [
        ("shown", "1"),
        ("inserted", "1"),
        ("sent", "1"),
        ("acceptance", "100.0%"),
    ]
    listed = client.get("/reports/suggestions/tickets?source=reply&stage=sent&days=30").text
    assert re.findall(r'data-ticket="(\d+)"', listed) == [str(ticket_id)]


def test_the_report_explains_itself_when_nothing_was_shown(client: Any, database: Database) -> None:
    make_agent(database, email="mia@example.com", name="Mia", role=Role.MANAGER)
    sign_in(client, "mia@example.com", PASSWORD)
    html = client.get("/reports/suggestions").text
    assert "No suggestion was shown in this period" in html and "AI settings" in html
    assert client.get("/reports/suggestions?days=5").status_code == 422
    bad = client.get("/reports/suggestions/tickets?source=robot&stage=sent")
    assert bad.status_code == 422 and "Choose a source" in bad.text


def test_bad_requests_are_refused_with_a_reason(client: Any, database: Database) -> None:
    ticket_id = _ticket(database)
    sign_in(client, "sam@example.com", PASSWORD)
    token = csrf_token(client.get(f"/tickets/{ticket_id}").text)
    missing = client.post(
        f"/tickets/{ticket_id}/suggestions/999999/inserted", headers={"X-CSRF-Token": token}
    )
    assert missing.status_code == 404 and "not shown on this ticket" in missing.text
    assert client.post(f"/tickets/{ticket_id}/suggestions/1/inserted").status_code == 403
    assert client.get("/tickets/999999/suggestions").status_code == 404


def test_switched_off_there_is_no_panel_and_no_work(client: Any, database: Database) -> None:
    ticket_id = _ticket(database)
    with database.unit_of_work(actor=SYSTEM) as session:
        switches.save(session, actor=SYSTEM, on={"intent", "sentiment", "urgency"})
    sign_in(client, "sam@example.com", PASSWORD)
    assert "data-suggest " not in client.get(f"/tickets/{ticket_id}").text
    off = client.get(f"/tickets/{ticket_id}/suggestions")
    assert off.status_code == 404 and "switched off" in off.text
