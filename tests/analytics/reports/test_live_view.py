"""The live view: open tickets by status and age, waiting chats (none yet), agents online and
their load, SLA clocks running out within the hour; the panel refreshes itself."""

import re
from datetime import timedelta
from typing import Any

from kefu.accounts.service import actor_for
from kefu.automation.assignment import service as assignment
from kefu.automation.assignment.schemas import AgentStatusValue
from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.permissions import Role
from kefu.tickets import service as tickets
from kefu.tickets.schemas import TicketUpdate
from kefu.tickets.sla_due import set_sla_due_at
from tests.accounts.factories import make_agent
from tests.analytics.reports.factories import manager
from tests.tickets.factories import receive


def _cell(html: str, status: str) -> list[str]:
    row = html.split(f'data-status="{status}"')[1].split("</tr>")[0]
    return re.findall(r'<td class="num">(?:<a [^>]*>)?(\d+)', row)


def _figure(html: str, key: str) -> str:
    match = re.search(rf'data-figure="{key}">.*?report-figure-value">(\d+)<', html, re.S)
    assert match, key
    return match.group(1)


def test_the_live_view_shows_the_queue_now(client: Any, database: Database) -> None:
    # given two new tickets, one assigned to Tom (online), one due to breach in 20 minutes
    manager(client, database)
    tom = make_agent(database, email="tom@example.com", name="Tom")
    first = receive(database, email="a@example.com", subject="Broken zip").ticket_id
    second = receive(database, email="b@example.com", subject="Late parcel").ticket_id
    with database.unit_of_work(actor=Actor.system()) as session:
        tickets.update_ticket(
            session, actor=Actor.system(), ticket_id=first, data=TicketUpdate(assignee_id=tom.id)
        )
        set_sla_due_at(session, ticket_id=second, due_at=utcnow() + timedelta(minutes=20))
        assignment.set_status(
            session, actor=actor_for(tom), agent_id=tom.id, status=AgentStatusValue.ONLINE
        )
    # when
    page = client.get("/reports/live")
    # then
    assert page.status_code == 200
    html = page.text
    status_of_first = "open" if _cell(html, "open")[-1] != "0" else "new"
    assert _cell(html, "new")[0] == str(2 if status_of_first == "new" else 1)
    assert sum(int(n) for s in ("new", "open") for n in _cell(html, s)[:-1]) == 2
    assert _figure(html, "breaching") == "1" and _figure(html, "waiting_chats") == "0"
    assert f'href="/tickets/{second}"' in html and "Late parcel" in html
    agents = html.split('id="live-agent-load"')[1].split("</table>")[0]
    assert "Tom" in agents and '<td class="num">1</td>' in agents
    assert "No chats waiting." in html
    assert 'hx-get="/reports/live/panel" hx-trigger="every 30s"' in html
    panel = client.get("/reports/live/panel", headers={"HX-Request": "true"})
    assert panel.status_code == 200 and "<html" not in panel.text


def test_an_empty_queue_shows_empty_states(client: Any, database: Database) -> None:
    manager(client, database)
    html = client.get("/reports/live").text
    assert "No agent is online." in html
    assert "No SLA clock runs out in the next hour." in html
    assert _cell(html, "new") == ["0"] * 6


def test_agents_may_not_watch_the_live_view(client: Any, database: Database) -> None:
    manager(client, database, role=Role.AGENT, email="al@example.com")
    assert client.get("/reports/live/panel").status_code == 403
