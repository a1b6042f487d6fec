"""kefu's own call flow (ring the agents' phone, then voicemail), timed by an injected clock:
an answered call's answer time, wait and talk, a hang-up at the tone, a late transcript."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from kefu.channels.phone.models import Call
from kefu.db import Database
from kefu.events import Event
from kefu.runtime import Runtime
from tests.channels.phone.factories import call_params, make_line, post_callback
from tests.tickets.factories import receive

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CALLER = "+447700900123"


def _call(database: Database) -> Call:
    with database.sessions() as session:
        call = session.scalars(select(Call)).one()
        session.expunge(call)
        return call


def test_answered_forwarded_call_is_timed_from_the_dial_result(
    client: Any, database: Database, runtime: Runtime
) -> None:
    # given a line that rings the desk phone, and a customer with an open email ticket
    line = make_line(database, forward_to="+14155550199")
    opened = receive(database, email="emily@example.com")
    sid = "CA" + "a1" * 16
    # when the call rings at 9:00, is picked up at 9:00:30 and ends at 9:02:30
    runtime.clock = lambda: T0
    voice = post_callback(client, line, "voice", call_params(sid, caller=CALLER, status="ringing"))
    runtime.clock = lambda: T0 + timedelta(seconds=150)
    in_progress = call_params(sid, caller=CALLER, status="in-progress")
    dial = post_callback(
        client,
        line,
        "dial",
        {**in_progress, "DialCallStatus": "completed", "DialCallDuration": "120"},
    )
    status = post_callback(
        client,
        line,
        "status",
        call_params(sid, caller=CALLER, status="completed", CallDuration="150"),
    )
    # then kefu hung up its flow, and the call is answered with its real times
    assert (voice.status_code, dial.status_code, status.status_code) == (200, 200, 200)
    assert "<Hangup />" in dial.text
    call = _call(database)
    assert call.outcome == "answered"
    assert (call.started_at, call.answered_at, call.ended_at) == (
        T0,
        T0 + timedelta(seconds=30),
        T0 + timedelta(seconds=150),
    )
    assert call.duration_seconds == 150
    # the caller is a new customer (the ticket's requester wrote by email only): a new ticket
    assert call.ticket_id != opened.ticket_id
    with database.sessions() as session:
        ended = session.scalars(select(Event).where(Event.type == "call.ended")).one()
        answered = session.scalars(select(Event).where(Event.type == "call.answered")).one()
    assert (ended.payload["outcome"], ended.payload["wait_seconds"]) == ("answered", 30)
    assert answered.payload["line_id"] == line.id


def test_the_in_progress_status_of_kefus_own_flow_is_not_an_answer(
    client: Any, database: Database, runtime: Runtime
) -> None:
    # given a call kefu's flow took (the provider says "in-progress" once that flow runs)
    line = make_line(database, forward_to="+14155550199")
    sid = "CA" + "b2" * 16
    runtime.clock = lambda: T0
    post_callback(client, line, "voice", call_params(sid, caller=CALLER, status="ringing"))
    post_callback(client, line, "status", call_params(sid, caller=CALLER, status="in-progress"))
    # when nobody picks up and the caller hangs up at the tone
    runtime.clock = lambda: T0 + timedelta(seconds=25)
    no_answer = call_params(sid, caller=CALLER, status="in-progress", DialCallStatus="no-answer")
    dial = post_callback(client, line, "dial", no_answer)
    recording = post_callback(
        client,
        line,
        "recording",
        {"CallSid": sid, "RecordingUrl": "https://api.twilio.com/x/RE0", "RecordingDuration": "0"},
    )
    post_callback(
        client,
        line,
        "status",
        call_params(sid, caller=CALLER, status="completed", CallDuration="27"),
    )
    # then it is a missed call (no empty voicemail), on a ticket of its own
    assert "<Record " in dial.text and "<Hangup />" in recording.text
    call = _call(database)
    assert (call.outcome, call.answered_at, call.recording_url) == ("missed", None, None)
    assert call.ticket_id is not None


def test_agents_softphone_call_dials_out_and_is_their_entry(
    client: Any, database: Database, runtime: Runtime
) -> None:
    from tests.accounts.factories import make_agent

    # given an agent whose browser softphone identity is their email address
    agent = make_agent(database, email="li@example.com", name="Li Wei")
    line = make_line(database)
    sid = "CA" + "c3" * 16
    softphone = {
        "AccountSid": line.account_sid,
        "CallSid": sid,
        "CallStatus": "ringing",
        "Direction": "inbound",  # how the provider sees a call from a softphone
        "From": "client:li@example.com",
        "To": "(415) 555-0142",  # national: read in the line's country
    }
    # when the agent calls, the customer talks 60 s and hangs up
    runtime.clock = lambda: T0
    voice = post_callback(client, line, "voice", softphone)
    runtime.clock = lambda: T0 + timedelta(seconds=75)
    dialled = {**softphone, "CallStatus": "in-progress", "DialCallStatus": "completed"}
    dial = post_callback(client, line, "dial", {**dialled, "DialCallDuration": "60"})
    done = {**softphone, "CallStatus": "completed", "CallDuration": "75"}
    post_callback(client, line, "status", done)
    # then kefu dialled the customer showing the line's number, and recorded the agent's call
    assert '<Dial callerId="+14155550100"' in voice.text and ">+14155550142</Dial>" in voice.text
    assert "<Hangup />" in dial.text
    call = _call(database)
    assert (call.direction, call.agent_id, call.to_number, call.outcome) == (
        "outbound",
        agent.id,
        "+14155550142",
        "answered",
    )
    assert call.answered_at == T0 + timedelta(seconds=15)
    from kefu.tickets.models import Message, Ticket

    with database.sessions() as session:
        message = session.get(Message, call.message_id)
        ticket = session.get(Ticket, call.ticket_id)
        assert message is not None and ticket is not None
        assert (message.author_type, message.author_agent_id) == ("agent", agent.id)
        assert message.body_text == "Call to +1 415-555-0142, duration 1:15"
        assert (ticket.subject, ticket.status) == ("Call to +1 415-555-0142", "open")
