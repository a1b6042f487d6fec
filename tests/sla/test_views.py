"""Inbox views by SLA: breaches soonest first (none last), "SLA breached", "due within N
minutes", saved views and row badges."""

from datetime import UTC, datetime, timedelta
from typing import Any

from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.tickets.filters import TicketFilter
from kefu.tickets.queries import ticket_page
from kefu.tickets.sla_due import set_sla_due_at, sla_badge
from tests.accounts.factories import PASSWORD, make_agent
from tests.tickets.factories import make_ticket
from tests.web.helpers import csrf_token, sign_in

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def _tickets(database: Database) -> dict[str, int]:
    """Five tickets: breached 5 minutes ago, due in 10 and in 120 minutes, and two with none."""
    dues = {
        "later": NOW + timedelta(minutes=120),
        "none_a": None,
        "breached": NOW - timedelta(minutes=5),
        "none_b": None,
        "soon": NOW + timedelta(minutes=10),
    }
    found = {}
    for name, due in dues.items():
        ticket = make_ticket(database, subject=name)
        with database.unit_of_work() as session:
            set_sla_due_at(session, ticket_id=ticket.id, due_at=due)
        found[name] = ticket.id
    return found


def _ids(database: Database, spec: TicketFilter, *, limit: int = 50) -> list[int]:
    ids, cursor = [], None
    with database.unit_of_work() as session:
        while True:
            page = ticket_page(
                session,
                actor=Actor.system(),
                spec=spec,
                sort="sla_due_asc",
                cursor=cursor,
                limit=limit,
                now=NOW,
            )
            ids += [row.ticket.id for row in page.items]
            cursor = page.next_cursor
            if cursor is None:
                return ids


def test_breaches_soonest_first_and_no_sla_last(database: Database) -> None:
    t = _tickets(database)
    expected = [t["breached"], t["soon"], t["later"], t["none_a"], t["none_b"]]
    assert _ids(database, TicketFilter()) == expected
    # the same order page by page (keyset pages across the NULLs)
    assert _ids(database, TicketFilter(), limit=2) == expected


def test_filter_breached_and_due_within(database: Database) -> None:
    t = _tickets(database)
    assert _ids(database, TicketFilter(sla_breached=True)) == [t["breached"]]
    assert _ids(database, TicketFilter(sla_breached=False)) == [
        t["soon"],
        t["later"],
        t["none_a"],
        t["none_b"],
    ]
    assert _ids(database, TicketFilter(sla_due_within_minutes=30)) == [t["soon"]]
    assert _ids(database, TicketFilter(sla_due_within_minutes=180)) == [t["soon"], t["later"]]


def test_row_badges() -> None:
    assert sla_badge(NOW - timedelta(seconds=1), NOW) == "breached"
    assert sla_badge(NOW + timedelta(minutes=30), NOW) == "soon"
    assert sla_badge(NOW + timedelta(minutes=31), NOW) is None
    assert sla_badge(None, NOW) is None


def test_a_saved_view_sorts_by_breaches_soonest(client: Any, database: Database) -> None:
    # given an agent and tickets, one breached
    make_agent(database, email="agent@example.com")
    sign_in(client, "agent@example.com", PASSWORD)
    now = datetime.now(UTC)
    late = make_ticket(database, subject="Late one")
    calm = make_ticket(database, subject="Calm one")
    with database.unit_of_work() as session:
        set_sla_due_at(session, ticket_id=late.id, due_at=now - timedelta(minutes=5))
        set_sla_due_at(session, ticket_id=calm.id, due_at=now + timedelta(hours=5))
    form_page = client.get("/views/new").text
    assert 'value="sla_due_asc"' in form_page
    # when a view "SLA breached" is saved
    response = client.post(
        "/views/new",
        data={
            "name": "SLA breached",
            "sort": "sla_due_asc",
            "sla": "breached",
            "csrf_token": csrf_token(form_page),
        },
    )
    assert response.status_code == 303
    view_url = response.headers["location"]
    # then it lists the breached ticket, with its badge
    html = client.get(view_url).text
    assert "Late one" in html and "Calm one" not in html
    assert "sla-breached" in html
