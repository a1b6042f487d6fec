"""The provider's webhooks through HTTP: signed callbacks create and update calls on the right
customer's tickets; bad signatures store nothing; replays change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from kefu.channels.phone.models import Call
from kefu.customers.models import Customer, CustomerIdentity
from kefu.db import Database
from kefu.events import Event
from kefu.tickets.models import Message, Ticket
from tests.accounts.factories import make_agent
from tests.channels.phone.factories import (
    LINE_NUMBER,
    TOKEN,
    call_params,
    make_customer,
    make_line,
    post_callback,
    twilio_signature,
)
from tests.tickets.factories import receive

CALLER = "+447700900123"


def _count(database: Database, model: type[Any], *where: Any) -> int:
    with database.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _calls(database: Database) -> list[Call]:
    with database.sessions() as session:
        calls = list(session.scalars(select(Call).order_by(Call.id)))
        session.expunge_all()
        return calls


def _messages(database: Database, ticket_id: int) -> list[Message]:
    with database.sessions() as session:
        found = list(
            session.scalars(
                select(Message).where(Message.ticket_id == ticket_id).order_by(Message.id)
            )
        )
        session.expunge_all()
        return found


def _ticket(database: Database, ticket_id: int) -> Ticket:
    with database.sessions() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        session.expunge(ticket)
        return ticket


def _events(database: Database, event_type: str) -> int:
    return _count(database, Event, Event.type == event_type)


def test_answered_call_is_recorded_on_the_callers_open_ticket(
    client: Any, database: Database
) -> None:
    # given Emily (with an open email ticket) and another customer with another number
    line = make_line(database)
    emily = make_customer(database, name="Emily Chen", phone=CALLER, email="emily@example.com")
    make_customer(database, name="Other", phone="+447700900999", email="other@example.com")
    opened = receive(database, email="emily@example.com", subject="Where is my order?")
    # when the provider reports her call as answered and completed
    response = post_callback(
        client,
        line,
        "status",
        call_params("CA" + "a" * 32, caller=CALLER, status="completed", CallDuration="187"),
    )
    # then
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/xml")
    [call] = _calls(database)
    assert (call.customer_id, call.ticket_id, call.direction, call.outcome) == (
        emily.id,
        opened.ticket_id,
        "inbound",
        "answered",
    )
    assert (call.from_number, call.to_number, call.duration_seconds) == (CALLER, LINE_NUMBER, 187)
    assert call.answered_at is not None and call.ended_at is not None
    messages = _messages(database, opened.ticket_id)
    assert [(m.channel, m.author_type, m.author_customer_id) for m in messages] == [
        ("email", "customer", emily.id),
        ("phone", "customer", emily.id),
    ]
    assert messages[1].id == call.message_id
    assert messages[1].body_text == "Call from +44 7700 900123, duration 3:07"
    assert (_events(database, "call.started"), _events(database, "call.ended")) == (1, 1)


@pytest.mark.parametrize(
    "change",
    [
        {"token": "another-accounts-token-000"},
        {"signature": ""},
        {"signature": "not-base64-at-all"},
        {"tamper": True},
    ],
    ids=["wrong-token", "missing", "garbage", "tampered-field"],
)
def test_bad_signature_gets_401_and_stores_nothing(
    client: Any, database: Database, change: dict[str, Any]
) -> None:
    # given
    line = make_line(database)
    params = call_params("CA" + "b" * 32, caller=CALLER, status="no-answer")
    before = (
        _count(database, Customer),
        _count(database, CustomerIdentity),
        _count(database, Ticket),
        _count(database, Event),
    )
    # when
    if change.get("tamper"):
        signed = twilio_signature(
            TOKEN, f"http://testserver/api/phone/twilio/{line.webhook_key}/status", params
        )
        response = post_callback(
            client, line, "status", {**params, "From": "+447700900666"}, signature=signed
        )
    else:
        response = post_callback(client, line, "status", params, **change)
    # then
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"
    assert _count(database, Call) == 0
    after = (
        _count(database, Customer),
        _count(database, CustomerIdentity),
        _count(database, Ticket),
        _count(database, Event),
    )
    assert after == before


def test_voicemail_through_kefus_call_flow_opens_a_ticket(client: Any, database: Database) -> None:
    # given a line that rings the agents' desk phone for 15 s, then takes a voicemail
    from tests.accounts.factories import make_admin

    make_admin(database)
    from kefu.accounts import service as accounts
    from kefu.accounts.schemas import TeamCreate
    from kefu.kit.actor import Actor

    with database.unit_of_work(actor=Actor.system()) as session:
        team_id = accounts.create_team(
            session, actor=Actor.system(), data=TeamCreate(name="Phones")
        ).id
    line = make_line(database, forward_to="+14155550199", ring_seconds=15, team_id=team_id)
    sid = "CA" + "c" * 32
    # when the call comes in, nobody picks up, the caller leaves a message and hangs up
    voice = post_callback(client, line, "voice", call_params(sid, caller=CALLER, status="ringing"))
    dial = post_callback(
        client,
        line,
        "dial",
        call_params(sid, caller=CALLER, status="in-progress", DialCallStatus="no-answer"),
    )
    recording = post_callback(
        client,
        line,
        "recording",
        {
            "AccountSid": line.account_sid,
            "CallSid": sid,
            "RecordingSid": "RE" + "1" * 32,
            "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1",
            "RecordingDuration": "42",
        },
    )
    status = post_callback(
        client,
        line,
        "status",
        call_params(sid, caller=CALLER, status="completed", CallDuration="61"),
    )
    transcription = post_callback(
        client,
        line,
        "transcription",
        {
            "AccountSid": line.account_sid,
            "CallSid": sid,
            "TranscriptionStatus": "completed",
            "TranscriptionText": "Hi, my parcel never arrived, order 1001. Please call me back.",
        },
    )
    # then kefu answered each step with the right TwiML
    assert [r.status_code for r in (voice, dial, recording, status, transcription)] == [200] * 5
    assert '<Dial timeout="15"' in voice.text and ">+14155550199</Dial>" in voice.text
    assert f"/api/phone/twilio/{line.webhook_key}/dial" in voice.text
    assert "<Record " in dial.text and 'transcribe="true"' in dial.text
    assert "<Hangup />" in recording.text
    # and one call, a new customer with the caller's number, a new phone ticket for the team
    [call] = _calls(database)
    assert (call.outcome, call.recording_seconds, call.duration_seconds) == ("voicemail", 42, 61)
    assert call.voicemail_transcript == (
        "Hi, my parcel never arrived, order 1001. Please call me back."
    )
    assert call.answered_at is None and call.ticket_id is not None
    ticket = _ticket(database, call.ticket_id)
    assert (ticket.channel, ticket.subject, ticket.team_id, ticket.status) == (
        "phone",
        "Voicemail from +44 7700 900123",
        team_id,
        "new",
    )
    with database.sessions() as session:
        owner = session.scalar(
            select(CustomerIdentity.customer_id).where(
                CustomerIdentity.kind == "phone", CustomerIdentity.value == CALLER
            )
        )
    assert owner == ticket.requester_id == call.customer_id
    assert (_events(database, "call.voicemail"), _events(database, "call.answered")) == (1, 0)


def test_replayed_callbacks_change_nothing(client: Any, database: Database) -> None:
    # given a missed call reported once
    line = make_line(database)
    params = call_params("CA" + "d" * 32, caller=CALLER, status="no-answer", CallDuration="0")
    first = post_callback(client, line, "status", params)
    [call] = _calls(database)
    events = _count(database, Event)
    # when the provider sends the same callback again, and a late "ringing" after it
    again = post_callback(client, line, "status", params)
    late = post_callback(
        client, line, "status", call_params("CA" + "d" * 32, caller=CALLER, status="ringing")
    )
    # then
    assert (first.status_code, again.status_code, late.status_code) == (200, 200, 200)
    [same] = _calls(database)
    assert (same.id, same.status, same.outcome, same.message_id) == (
        call.id,
        "no-answer",
        "missed",
        call.message_id,
    )
    assert _count(database, Message, Message.channel == "phone") == 1
    assert _count(database, Event) == events


def test_missed_calls_in_a_row_stay_on_one_ticket(client: Any, database: Database) -> None:
    line = make_line(database)
    for sid in ("CA" + "e" * 32, "CA" + "f" * 32):
        post_callback(client, line, "status", call_params(sid, caller=CALLER, status="busy"))
    first, second = _calls(database)
    assert first.ticket_id == second.ticket_id
    assert _ticket(database, first.ticket_id).subject == "Missed call from +44 7700 900123"
    assert [m.body_text for m in _messages(database, first.ticket_id)] == [
        "Missed call from +44 7700 900123",
        "Missed call from +44 7700 900123",
    ]


def test_outgoing_softphone_call_is_the_agents_entry_on_a_new_ticket(
    client: Any, database: Database
) -> None:
    # given an agent whose browser softphone identity is their email
    agent = make_agent(database, email="li@example.com", name="Li Wei")
    line = make_line(database)
    params = {
        "AccountSid": line.account_sid,
        "CallSid": "CA" + "9" * 32,
        "CallStatus": "completed",
        "CallDuration": "75",
        "Direction": "outbound-api",
        "From": "client:li@example.com",
        "To": "07700 900123",  # national: read in the line's country (US) fails, so E.164 given
    }
    params["To"] = CALLER
    # when
    response = post_callback(client, line, "status", params)
    # then
    assert response.status_code == 200
    [call] = _calls(database)
    assert (call.direction, call.agent_id, call.outcome) == ("outbound", agent.id, "answered")
    [message] = _messages(database, call.ticket_id)
    assert (message.author_type, message.author_agent_id, message.channel) == (
        "agent",
        agent.id,
        "phone",
    )
    assert _ticket(database, call.ticket_id).subject == "Call to +44 7700 900123"


def test_malformed_field_is_refused_and_nothing_stored(client: Any, database: Database) -> None:
    line = make_line(database)
    params = call_params("CA" + "0" * 32, caller=CALLER, status="completed", CallDuration="ten")
    response = post_callback(client, line, "status", params)
    assert response.status_code == 422
    assert "CallDuration" in response.json()["detail"]
    assert (_count(database, Call), _count(database, Customer)) == (0, 0)


def test_unknown_line_or_endpoint_is_404(client: Any, database: Database) -> None:
    line = make_line(database)
    params = call_params("CA" + "0" * 32, caller=CALLER, status="completed")
    assert post_callback(client, line, "sms", params).status_code == 404
    response = client.post(
        "/api/phone/twilio/no-such-line-key/status",
        data=params,
        headers={"X-Twilio-Signature": "x"},
    )
    assert response.status_code == 404
    assert _count(database, Call) == 0


def test_switched_off_line_refuses_calls(client: Any, database: Database) -> None:
    line = make_line(database, is_active=False)
    params = call_params("CA" + "5" * 32, caller=CALLER, status="completed")
    response = post_callback(client, line, "status", params)
    assert response.status_code == 410
    assert _count(database, Call) == 0


def test_withheld_caller_gets_a_ticket_on_a_customer_of_their_own(
    client: Any, database: Database
) -> None:
    # given
    line = make_line(database)
    # when two callers who withheld their numbers both hang up unanswered
    for sid in ("CA" + "3" * 32, "CA" + "4" * 32):
        response = post_callback(
            client, line, "status", call_params(sid, caller="anonymous", status="no-answer")
        )
        assert response.status_code == 200
    # then each is a ticket of its own, on a customer of its own
    first, second = _calls(database)
    assert first.from_number == "anonymous" and first.customer_id != second.customer_id
    assert first.ticket_id != second.ticket_id
    ticket = _ticket(database, first.ticket_id)
    assert (ticket.subject, ticket.channel, ticket.requester_id) == (
        "Missed call from a withheld number",
        "phone",
        first.customer_id,
    )
    assert _count(database, CustomerIdentity) == 0


def test_ticket_page_shows_the_voicemail_card(client: Any, database: Database) -> None:
    from tests.accounts.factories import PASSWORD
    from tests.web.helpers import sign_in

    # given a voicemail reported by the provider
    make_agent(database, email="li@example.com")
    line = make_line(database)
    sid = "CA" + "8" * 32
    post_callback(client, line, "voice", call_params(sid, caller=CALLER, status="ringing"))
    post_callback(
        client,
        line,
        "recording",
        {
            "AccountSid": line.account_sid,
            "CallSid": sid,
            "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE8",
            "RecordingDuration": "12",
        },
    )
    post_callback(
        client,
        line,
        "transcription",
        {"CallSid": sid, "TranscriptionStatus": "completed", "TranscriptionText": "Call me."},
    )
    [call] = _calls(database)
    # when an agent opens its ticket
    sign_in(client, "li@example.com", PASSWORD)
    page = client.get(f"/tickets/{call.ticket_id}").text
    # then the call card shows the number as a tel: link, the recording and the transcript
    assert f'data-call-id="{call.id}"' in page
    assert '<a href="tel:+447700900123" class="tel">+44 7700 900123</a>' in page
    assert 'href="https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE8"' in page
    assert "Voicemail transcript" in page and "Call me." in page
