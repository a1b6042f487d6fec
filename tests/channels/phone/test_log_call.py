"""Logging a call on the ticket page and through the API; the call card and tel: links."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from kefu.channels.phone.models import Call
from kefu.compliance.models import AuditEntry
from kefu.customers.models import CustomerIdentity
from kefu.db import Database
from kefu.tickets.models import Message, Ticket
from tests.accounts.factories import PASSWORD, make_agent
from tests.channels.phone.factories import call_params, make_line, post_callback
from tests.tickets.factories import receive
from tests.web.helpers import csrf_token, sign_in
from tests.web.test_api import token_for

FORM = {
    "direction": "outbound",
    "number": "+44 7700 900123",
    "duration": "3:07",
    "disposition": "resolved",
    "notes": "Explained the delay; new parcel ships tomorrow.",
    "started_at": "2026-12-05T10:00:00Z",
}


def _agent_on_ticket(client: Any, database: Database) -> tuple[Any, int, str]:
    agent = make_agent(database, email="li@example.com", name="Li Wei")
    ticket = receive(database, email="emily@example.com", subject="Parcel late")
    sign_in(client, "li@example.com", PASSWORD)
    page = client.get(f"/tickets/{ticket.ticket_id}")
    assert page.status_code == 200
    return agent, ticket.ticket_id, csrf_token(page.text)


def _calls(database: Database) -> list[Call]:
    with database.sessions() as session:
        calls = list(session.scalars(select(Call).order_by(Call.id)))
        session.expunge_all()
        return calls


def test_agent_logs_a_call_on_the_ticket(client: Any, database: Database) -> None:
    # given an agent on Emily's ticket, whose number kefu does not know yet
    agent, ticket_id, token = _agent_on_ticket(client, database)
    page = client.get(f"/tickets/{ticket_id}").text
    assert "Log a call" in page and "data-call-timer" in page
    # when the agent logs the call with the timer's 3:07
    response = client.post(f"/tickets/{ticket_id}/calls", data={**FORM, "csrf_token": token})
    # then
    assert response.status_code == 303
    [call] = _calls(database)
    assert response.headers["location"] == f"/tickets/{ticket_id}#message-{call.message_id}"
    assert (call.provider, call.direction, call.to_number, call.duration_seconds) == (
        "manual",
        "outbound",
        "+447700900123",
        187,
    )
    assert (call.agent_id, call.ticket_id, call.disposition, call.outcome) == (
        agent.id,
        ticket_id,
        "resolved",
        "answered",
    )
    assert call.started_at.isoformat() == "2026-12-05T10:00:00+00:00"
    assert call.ended_at is not None and call.ended_at.isoformat() == "2026-12-05T10:03:07+00:00"
    with database.sessions() as session:
        message = session.get(Message, call.message_id)
        assert message is not None
        assert (message.author_agent_id, message.channel, message.kind) == (
            agent.id,
            "phone",
            "reply",
        )
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None and ticket.status == "open"
        owner = session.scalar(
            select(CustomerIdentity.customer_id).where(CustomerIdentity.value == "+447700900123")
        )
        assert owner == ticket.requester_id
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.entity_type == "calls", AuditEntry.actor_ref == f"agent:{agent.id}")
        )
        assert audited == 1
    # and the ticket page shows the call card with tel: links
    shown = client.get(f"/tickets/{ticket_id}").text
    assert f'data-call-id="{call.id}"' in shown
    assert 'href="tel:+447700900123"' in shown
    assert "+44 7700 900123" in shown and "3:07" in shown and "Resolved on the call" in shown
    assert "Explained the delay; new parcel ships tomorrow." in shown


def test_log_call_with_a_bad_number_or_duration_saves_nothing(
    client: Any, database: Database
) -> None:
    _agent, ticket_id, token = _agent_on_ticket(client, database)
    for change in ({"number": "call me"}, {"duration": "three minutes"}, {"direction": "sideways"}):
        response = client.post(
            f"/tickets/{ticket_id}/calls", data={**FORM, **change, "csrf_token": token}
        )
        assert response.status_code == 303
        assert response.headers["location"] == f"/tickets/{ticket_id}"
    assert _calls(database) == []
    with database.sessions() as session:
        assert (
            session.scalar(
                select(func.count()).select_from(Message).where(Message.channel == "phone")
            )
            == 0
        )


def test_light_agent_cannot_log_a_call(client: Any, database: Database) -> None:
    from kefu.permissions import Role

    make_agent(database, email="finance@example.com", role=Role.LIGHT_AGENT)
    ticket = receive(database, email="emily@example.com")
    sign_in(client, "finance@example.com", PASSWORD)
    page = client.get(f"/tickets/{ticket.ticket_id}").text
    assert "data-call-timer" not in page
    response = client.post(
        f"/tickets/{ticket.ticket_id}/calls", data={**FORM, "csrf_token": csrf_token(page)}
    )
    assert response.status_code == 303
    assert _calls(database) == []


def test_calls_through_the_api(client: Any, database: Database) -> None:
    # given a webhook call and an API token
    agent = make_agent(database, email="li@example.com")
    line = make_line(database)
    post_callback(
        client,
        line,
        "status",
        call_params("CA" + "7" * 32, caller="+447700900123", status="no-answer"),
    )
    [missed] = _calls(database)
    headers = token_for(database, agent)
    # when
    listed = client.get(f"/api/v1/tickets/{missed.ticket_id}/calls", headers=headers)
    logged = client.post(
        f"/api/v1/tickets/{missed.ticket_id}/calls",
        json={
            "direction": "outbound",
            "number": "+447700900123",
            "disposition": "no_answer",
            "duration_seconds": 20,
        },
        headers=headers,
    )
    refused = client.post(
        f"/api/v1/tickets/{missed.ticket_id}/calls",
        json={"direction": "outbound", "number": "12", "disposition": "no_answer"},
        headers=headers,
    )
    # then
    assert listed.status_code == 200
    assert [(c["id"], c["outcome"], c["direction"]) for c in listed.json()] == [
        (missed.id, "missed", "inbound")
    ]
    assert logged.status_code == 201
    assert (logged.json()["outcome"], logged.json()["ticket_id"]) == ("missed", missed.ticket_id)
    assert refused.status_code == 422
    assert client.get(f"/api/v1/calls/{missed.id}", headers=headers).json()["status"] == "no-answer"
    assert len(_calls(database)) == 2
