"""On a phone ticket the agent's written reply goes to the customer by email when they have an
address (the email channel's outbound path), the composer says where it goes, and a logged
call stays on the ticket."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from kefu.accounts import service as accounts
from kefu.channels.email.models import OutboundEmail
from kefu.channels.phone.logging_calls import log_call
from kefu.channels.phone.models import Call
from kefu.channels.phone.schemas import CallLog
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.tickets.messages import add_message, get_message
from kefu.tickets.schemas import MessageCreate
from tests.accounts.factories import PASSWORD, make_agent
from tests.channels.email.factories import make_mailbox
from tests.channels.phone.factories import call_params, make_customer, make_line, post_callback
from tests.web.helpers import sign_in

CALLER = "+447700900123"


def _missed_call(client: Any, database: Database, sid: str) -> int:
    line = make_line(database)
    post_callback(client, line, "status", call_params(sid, caller=CALLER, status="no-answer"))
    with database.sessions() as session:
        return session.scalars(select(Call.ticket_id)).one()


def _reply(database: Database, agent_id: int, ticket_id: int, text: str) -> int:
    with database.unit_of_work() as session:
        actor = accounts.actor_for(accounts.get_agent(session, agent_id))
        return add_message(
            session, actor=actor, ticket_id=ticket_id, data=MessageCreate(body_text=text)
        ).id


def _outbound(database: Database) -> list[tuple[int, list[str]]]:
    with database.sessions() as session:
        rows = session.scalars(select(OutboundEmail).order_by(OutboundEmail.id))
        return [(r.message_id, list(r.recipients)) for r in rows]


def test_a_written_reply_to_a_caller_with_an_address_is_emailed(
    client: Any, database: Database
) -> None:
    # given Emily's missed call opened a phone ticket
    make_mailbox(database)
    li = make_agent(database, email="li@example.com")
    make_customer(database, name="Emily Chen", phone=CALLER, email="emily@example.com")
    ticket_id = _missed_call(client, database, "CA" + "e" * 32)
    sign_in(client, "li@example.com", PASSWORD)
    # then the composer says the reply goes by email
    page = client.get(f"/tickets/{ticket_id}").text
    assert "a written reply is sent by email to emily@example.com" in page
    # when the agent writes, and the handlers run twice
    message_id = _reply(database, li.id, ticket_id, "Sorry we missed your call.")
    dispatch_due(database)
    dispatch_due(database)
    # then it is queued once, to her, and shows as an email
    assert _outbound(database) == [(message_id, ["emily@example.com"])]
    with database.sessions() as session:
        stored = get_message(session, message_id)
        assert (stored.channel, stored.details["written_on"]) == ("email", "phone")
        assert stored.details["delivery"]["status"] == "sending"


def test_without_an_address_the_reply_stays_and_the_composer_says_so(
    client: Any, database: Database
) -> None:
    make_mailbox(database)
    li = make_agent(database, email="li@example.com")
    ticket_id = _missed_call(client, database, "CA" + "f" * 32)  # an unknown caller
    sign_in(client, "li@example.com", PASSWORD)
    page = client.get(f"/tickets/{ticket_id}").text
    assert "A phone ticket and no email address" in page
    message_id = _reply(database, li.id, ticket_id, "Noted")
    dispatch_due(database)
    assert _outbound(database) == []
    with database.sessions() as session:
        assert get_message(session, message_id).channel == "phone"


def test_a_logged_call_is_never_mailed(client: Any, database: Database) -> None:
    # given a phone ticket of a customer with an address
    make_mailbox(database)
    li = make_agent(database, email="li@example.com")
    make_customer(database, name="Emily Chen", phone=CALLER, email="emily@example.com")
    ticket_id = _missed_call(client, database, "CA" + "9" * 32)
    # when the agent logs the call back
    with database.unit_of_work() as session:
        actor = accounts.actor_for(accounts.get_agent(session, li.id))
        data = CallLog(
            direction="outbound", number=CALLER, disposition="resolved", duration_seconds=60
        )
        call = log_call(session, actor=actor, ticket_id=ticket_id, data=data)
        message_id = call.message_id
    dispatch_due(database)
    # then it stays on the ticket as the call's card
    assert _outbound(database) == []
    with database.sessions() as session:
        assert get_message(session, message_id).channel == "phone"
