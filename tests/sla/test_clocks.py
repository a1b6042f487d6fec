"""Clocks follow their tickets: started on creation, fulfilled by replies, paused while
pending, resumed, re-targeted and fulfilled on solve (through the real event handlers)."""

from datetime import timedelta

from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import select

from kefu.customers import service as customers
from kefu.customers.schemas import CustomerUpdate
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.events import Event, registry
from kefu.kit.actor import Actor
from kefu.kit.clock import as_utc
from tests.customers.factories import make_customer
from tests.sla.factories import (
    agent_actor,
    clocks,
    make_policy,
    reply,
    sla_due_at,
    targets,
    update,
)
from tests.tickets.factories import make_ticket, receive


def test_a_new_ticket_starts_first_reply_and_resolution(database: Database) -> None:
    # given a calendar-hours policy
    policy = make_policy(database, hours="calendar")
    # when a customer writes in
    ticket_id = receive(database).ticket_id
    dispatch_due(database)
    # then first reply is due an hour after, resolution eight hours after
    found = clocks(database, ticket_id)
    assert set(found) == {"first_reply", "resolution"}
    first = found["first_reply"]
    assert (first.status, first.policy_id) == ("running", policy.id)
    assert as_utc(first.due_at) - as_utc(first.started_at) == timedelta(hours=1)
    assert as_utc(found["resolution"].due_at) - as_utc(first.started_at) == timedelta(hours=8)
    assert as_utc(sla_due_at(database, ticket_id)) == as_utc(first.due_at)


def test_no_matching_policy_no_clocks(database: Database) -> None:
    make_policy(database, conditions={"priorities": ["urgent"]})
    ticket_id = receive(database).ticket_id
    dispatch_due(database)
    assert clocks(database, ticket_id) == {}
    assert sla_due_at(database, ticket_id) is None


def test_an_agent_reply_fulfils_first_reply_and_starts_periodic_update(database: Database) -> None:
    make_policy(database, hours="calendar", targets=targets(first_reply=60, periodic_update=120))
    ticket_id = receive(database).ticket_id
    dispatch_due(database)
    # when an agent replies (an internal note first, which changes nothing)
    ann = agent_actor(database)
    reply(database, ticket_id=ticket_id, actor=ann, kind="note")
    dispatch_due(database)
    assert clocks(database, ticket_id)["first_reply"].status == "running"
    reply(database, ticket_id=ticket_id, actor=ann)
    dispatch_due(database)
    # then
    found = clocks(database, ticket_id)
    assert found["first_reply"].status == "fulfilled"
    assert found["first_reply"].breached_at is None
    update_clock = found["periodic_update"]
    assert update_clock.status == "running"
    assert as_utc(update_clock.due_at) - as_utc(update_clock.started_at) == timedelta(hours=2)
    assert as_utc(sla_due_at(database, ticket_id)) == as_utc(update_clock.due_at)


def test_a_customer_answer_starts_next_reply_and_the_agent_meets_it(database: Database) -> None:
    make_policy(database, hours="calendar", targets=targets(first_reply=60, next_reply=30))
    first = receive(database)
    ticket_id = first.ticket_id
    dispatch_due(database)
    ann = agent_actor(database)
    reply(database, ticket_id=ticket_id, actor=ann)
    dispatch_due(database)
    # when the customer answers on the same ticket
    receive(database, ticket_id=ticket_id, text="Thanks, but it is still not here.")
    dispatch_due(database)
    next_reply = clocks(database, ticket_id)["next_reply"]
    assert next_reply.status == "running"
    assert as_utc(next_reply.due_at) - as_utc(next_reply.started_at) == timedelta(minutes=30)
    # a second customer message does not restart the clock
    receive(database, ticket_id=ticket_id, text="Hello?")
    dispatch_due(database)
    assert clocks(database, ticket_id)["next_reply"].started_at == next_reply.started_at
    # and the agent's answer meets it
    reply(database, ticket_id=ticket_id, actor=ann)
    dispatch_due(database)
    assert clocks(database, ticket_id)["next_reply"].status == "fulfilled"


def test_pending_pauses_and_open_resumes_with_the_due_time_moved(database: Database) -> None:
    make_policy(database, hours="calendar", targets=targets(resolution=480))
    ticket_id = receive(database).ticket_id
    dispatch_due(database)
    # when the ticket waits on the customer
    update(database, ticket_id=ticket_id, status="pending")
    dispatch_due(database)
    paused = clocks(database, ticket_id)["resolution"]
    assert (paused.status, paused.due_at) == ("paused", None)
    assert sla_due_at(database, ticket_id) is None
    # and opens again
    update(database, ticket_id=ticket_id, status="open")
    dispatch_due(database)
    resumed = clocks(database, ticket_id)["resolution"]
    assert resumed.status == "running"
    # then the due time is the target minus what was used before the pause, from the resume
    left = timedelta(seconds=resumed.target_seconds - resumed.used_seconds)
    assert as_utc(resumed.due_at) == as_utc(resumed.running_since) + left
    assert as_utc(resumed.due_at) > as_utc(resumed.started_at) + timedelta(hours=8)


def test_a_policy_that_does_not_pause_on_hold_keeps_running(database: Database) -> None:
    make_policy(database, hours="calendar", pause_statuses=["pending"])
    ticket_id = receive(database).ticket_id
    dispatch_due(database)
    update(database, ticket_id=ticket_id, status="on_hold")
    dispatch_due(database)
    assert {c.status for c in clocks(database, ticket_id).values()} == {"running"}


def test_solving_fulfils_and_reopening_runs_resolution_on(database: Database) -> None:
    make_policy(database, hours="calendar")
    ticket_id = receive(database).ticket_id
    dispatch_due(database)
    update(database, ticket_id=ticket_id, status="solved")
    dispatch_due(database)
    found = clocks(database, ticket_id)
    assert {c.status for c in found.values()} == {"fulfilled"}
    assert sla_due_at(database, ticket_id) is None
    used = found["resolution"].used_seconds
    # when it is reopened
    update(database, ticket_id=ticket_id, status="open")
    dispatch_due(database)
    resolution = clocks(database, ticket_id)["resolution"]
    assert resolution.status == "running"
    assert resolution.used_seconds == used
    assert clocks(database, ticket_id)["first_reply"].status == "fulfilled"


def test_a_new_priority_retargets_the_running_clocks(database: Database) -> None:
    make_policy(
        database,
        hours="calendar",
        targets={"first_reply": {"normal": 240, "urgent": 30}},
    )
    ticket_id = receive(database).ticket_id
    dispatch_due(database)
    before = clocks(database, ticket_id)["first_reply"]
    assert before.target_seconds == 240 * 60
    update(database, ticket_id=ticket_id, priority="urgent")
    dispatch_due(database)
    after = clocks(database, ticket_id)["first_reply"]
    assert after.target_seconds == 30 * 60
    assert as_utc(after.due_at) < as_utc(before.due_at)
    # a priority without a target stops the clock
    update(database, ticket_id=ticket_id, priority="low")
    dispatch_due(database)
    assert clocks(database, ticket_id)["first_reply"].status == "cancelled"
    assert sla_due_at(database, ticket_id) is None


def test_the_first_matching_policy_wins_vip_first(database: Database) -> None:
    vip_policy = make_policy(
        database, name="VIP", hours="calendar", conditions={"vip": True}, position=0
    )
    make_policy(database, name="Everyone", hours="calendar", position=5)
    make_customer(database, name="Vera Vip", emails=("vera@example.com",), is_vip=True)
    vip_ticket = receive(database, email="vera@example.com").ticket_id
    other_ticket = receive(database, email="otto@example.com").ticket_id
    dispatch_due(database)
    assert clocks(database, vip_ticket)["first_reply"].policy_id == vip_policy.id
    assert clocks(database, other_ticket)["first_reply"].policy_id != vip_policy.id


def test_running_the_handlers_again_changes_nothing(database: Database) -> None:
    make_policy(database, hours="calendar", targets=targets(first_reply=60, periodic_update=60))
    ticket_id = receive(database).ticket_id
    dispatch_due(database)
    reply(database, ticket_id=ticket_id, actor=agent_actor(database))
    dispatch_due(database)
    before = {m: (c.status, c.due_at, c.started_at) for m, c in clocks(database, ticket_id).items()}
    due_before = sla_due_at(database, ticket_id)
    # when every event of the ticket is handled again: all in one batch, then each alone
    handler = registry.get("sla.clocks")
    assert handler is not None
    with database.unit_of_work() as session:
        events = [
            event
            for event in session.scalars(select(Event).order_by(Event.id))
            if event.type in handler.event_types and event.subject_id == str(ticket_id)
        ]
        handler.fn(session, events)
        for event in events:
            handler.fn(session, [event])
    # then
    after = {m: (c.status, c.due_at, c.started_at) for m, c in clocks(database, ticket_id).items()}
    assert after == before
    assert sla_due_at(database, ticket_id) == due_before


def test_an_agent_made_ticket_is_followed_too(database: Database) -> None:
    make_policy(database, hours="calendar")
    ticket = make_ticket(database, priority="high")
    dispatch_due(database)
    assert clocks(database, ticket.id)["first_reply"].status == "running"


def test_a_customer_made_vip_moves_their_ticket_to_the_vip_policy(database: Database) -> None:
    vip = make_policy(
        database,
        name="VIP",
        hours="calendar",
        conditions={"vip": True},
        targets=targets(first_reply=15),
    )
    make_policy(database, name="Everyone", hours="calendar", targets=targets(first_reply=240))
    received = receive(database, email="otto@example.com")
    dispatch_due(database)
    assert clocks(database, received.ticket_id)["first_reply"].target_seconds == 240 * 60
    # when the customer is made VIP
    with database.unit_of_work(actor=Actor.system()) as session:
        customers.update_customer(
            session,
            actor=Actor.system(),
            customer_id=received.customer_id,
            data=CustomerUpdate(is_vip=True),
        )
    dispatch_due(database)
    # then
    clock = clocks(database, received.ticket_id)["first_reply"]
    assert (clock.policy_id, clock.target_seconds) == (vip.id, 15 * 60)


def test_backdated_history_keeps_the_order_kefu_received_it_in(database: Database) -> None:
    """An imported thread: the mail keeps its own (old) dates while the ticket's updates are
    written now; an agent's old reply imported after an update still fulfils first reply."""
    from kefu.ingest.schemas import InboundMessage, Sender
    from kefu.ingest.service import ingest
    from kefu.kit.clock import utcnow

    # given a policy, and a customer's mail from three days ago
    make_policy(database, hours="calendar", targets=targets(first_reply=60))
    ann = agent_actor(database)
    days_ago = utcnow() - timedelta(days=3)

    def arrives(source_id: str, at: object, **values: object) -> int:
        message = InboundMessage(
            channel="email",
            source_id=source_id,
            sender=Sender(email=str(values.pop("email", "emily@example.com"))),
            subject="Where is my order?",
            body_text="Any news?",
            received_at=at,
            **values,
        )
        with database.unit_of_work(actor=Actor.system()) as session:
            return ingest(session, message=message).ticket_id

    ticket_id = arrives("<old-1@example.com>", days_ago)
    # when the ticket is updated now, then the agent's own reply of that day is imported
    update(database, ticket_id=ticket_id, priority="high")
    arrives(
        "<old-2@example.com>",
        days_ago + timedelta(minutes=20),
        email="ann@example.com",
        sender_agent_id=ann.agent_id,
        ticket_id=ticket_id,
    )
    dispatch_due(database)
    # then the reply fulfilled the first-reply clock (not left to breach)
    assert clocks(database, ticket_id)["first_reply"].status == "fulfilled"


def test_a_batch_inserts_its_new_clocks_together(database: Database) -> None:
    # given a policy and ten new tickets, their events to be handled in one batch
    make_policy(database, hours="business", targets=targets(first_reply=60, resolution=480))
    ticket_ids = [receive(database, email=f"c{n}@example.com").ticket_id for n in range(10)]
    inserts: list[int] = []

    @sqlalchemy_event.listens_for(database.engine, "before_cursor_execute")
    def _count(_conn, _cursor, statement, parameters, _context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("INSERT INTO SLA_CLOCKS"):
            inserts.append(1 if not executemany else len(parameters))

    # when they are dispatched
    dispatch_due(database)
    # then the twenty clocks were not written one a statement (the ORM's way on SQLite): in
    # one, or two when a read early in the batch flushed the first clock
    sqlalchemy_event.remove(database.engine, "before_cursor_execute", _count)
    assert 1 <= len(inserts) <= 2
    for ticket_id in ticket_ids:
        found = clocks(database, ticket_id)
        assert {m: c.status for m, c in found.items()} == {
            "first_reply": "running",
            "resolution": "running",
        }
        assert sla_due_at(database, ticket_id) == as_utc(found["first_reply"].due_at)
