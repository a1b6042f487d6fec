"""The demo's phone line and calls: the customer's call after the written conversation, a
call back where one was promised, on the phone tickets only, never in the future."""

from sqlalchemy import select

from kefu.channels.phone import service as calls
from kefu.channels.phone.models import Call, PhoneLine
from kefu.db import Database
from kefu.demo import phone, team
from kefu.kit.clock import as_utc, utcnow
from kefu.tickets.messages import list_messages
from tests.tickets.factories import receive


def test_demo_calls_follow_the_phone_tickets(database: Database) -> None:
    # given the demo team, a phone ticket and an email ticket
    team.run(database, 1, lambda n: None)
    on_phone = receive(database, channel="phone", email="ann@example.com", name="Ann").ticket_id
    by_email = receive(database, email="bo@example.com", name="Bo").ticket_id
    # when the phone step runs, twice
    steps: list[int] = []
    made = phone.run(database, 1, steps.append)
    assert phone.run(database, 1, steps.append) == 0
    # then there is one line, and the phone ticket's calls come after its messages
    with database.sessions() as session:
        assert len(session.scalars(select(PhoneLine)).all()) == 1
        assert calls.calls_of_ticket(session, by_email) == []
        logged = calls.calls_of_ticket(session, on_phone)
        assert made == sum(steps) == 1 + len(logged)
        assert [c.direction for c in logged] in (["inbound"], ["inbound", "outbound"])
        written = [
            m
            for m in list_messages(session, on_phone)
            if m.channel != "phone" or m.author_type == "customer"
        ]
        last_written = max(as_utc(m.created_at) for m in written)
        for call in logged:
            assert last_written < as_utc(call.started_at) < utcnow()
            assert call.customer_id is not None and call.duration_seconds > 0
        assert session.scalars(select(Call.message_id)).all()
