"""CSAT surveys: scheduled on a solve, sent after the delay through the email channel (once
per solve, never for reopened, merged, deleted, automated or address-less tickets), one
rating per survey, and the rules engine acting on `csat.received`."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from kefu.channels.email.models import OutboundEmail
from kefu.customers import service as customers
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.errors import InvalidInput
from kefu.events import Event
from kefu.feedback import csat
from kefu.feedback.models import CsatRating
from kefu.kit.actor import Actor
from kefu.kit.clock import as_utc, utcnow
from kefu.runtime import Runtime
from kefu.tickets.models import Message, Notification, Ticket
from kefu.tickets.service import delete_ticket, open_ticket
from tests.feedback.factories import (
    add_bad_rating_trigger,
    agent,
    enable_csat,
    later,
    lead,
    send_due,
    set_status,
    solved_ticket,
    surveys_of,
)


def _rate(database: Database, **values: object) -> CsatRating:
    with database.unit_of_work(actor=Actor.system()) as session:
        return csat.record_rating(session, now=utcnow(), **values)  # type: ignore[arg-type]


def _events(database: Database, event_type: str) -> list[Event]:
    with database.sessions() as session:
        return list(session.scalars(select(Event).where(Event.type == event_type)))


def test_a_solve_schedules_one_survey_due_after_the_delay(runtime: Runtime) -> None:
    # given
    database = runtime.database
    enable_csat(database, csat_delay_minutes=90)
    ann = agent(database)
    # when
    ticket_id = solved_ticket(database, actor=ann)
    dispatch_due(database)
    # then
    [survey] = surveys_of(database, ticket_id)
    assert survey.status == "scheduled"
    assert as_utc(survey.due_at) - as_utc(survey.solved_at) == timedelta(minutes=90)


def test_no_survey_when_switched_off_or_channel_not_surveyed(runtime: Runtime) -> None:
    database = runtime.database
    ann = agent(database)
    off = solved_ticket(database, actor=ann)
    enable_csat(database, csat_channels=["chat"])
    other = solved_ticket(database, actor=ann, email="zhang@example.com")
    assert surveys_of(database, off) == []
    assert surveys_of(database, other) == []


def test_survey_is_sent_after_the_delay_as_an_automated_email_reply(runtime: Runtime) -> None:
    # given
    database = runtime.database
    enable_csat(database)
    ann = agent(database)
    ticket_id = solved_ticket(database, actor=ann)
    # when: not yet due, then due
    early = send_due(database, now=later(30), settings=runtime.settings)
    sent = send_due(database, now=later(61), settings=runtime.settings)
    again = send_due(database, now=later(120), settings=runtime.settings)
    dispatch_due(database)
    # then
    assert early == {}
    assert sent == {"sent": 1}
    assert again == {}
    [survey] = surveys_of(database, ticket_id)
    with database.sessions() as session:
        message = session.get_one(Message, survey.message_id)
        ticket = session.get_one(Ticket, ticket_id)
        outbound = session.scalars(
            select(OutboundEmail).where(OutboundEmail.message_id == message.id)
        ).all()
    assert (message.kind, message.author_type, message.channel) == ("reply", "agent", "email")
    assert message.details["automated"] is True
    assert message.details["csat"] == {"survey_id": survey.id}
    assert "/feedback/csat/c" in message.body_text and "?rating=bad" in message.body_text
    assert ticket.status == "solved"
    assert len(outbound) == 1 and outbound[0].recipients == ["emily@example.com"]


def test_reopened_before_the_delay_is_not_surveyed_and_each_solve_once(runtime: Runtime) -> None:
    # given
    database = runtime.database
    enable_csat(database)
    ann = agent(database)
    ticket_id = solved_ticket(database, actor=ann)
    set_status(database, actor=ann, ticket_id=ticket_id, status="open")
    # when
    first = send_due(database, now=later(61), settings=runtime.settings)
    set_status(database, actor=ann, ticket_id=ticket_id, status="solved")
    dispatch_due(database)
    dispatch_due(database)
    second = send_due(database, now=later(125), settings=runtime.settings)
    # then
    assert first == {"cancelled": 1}
    assert second == {"sent": 1}
    assert [(s.status, s.skip_reason) for s in surveys_of(database, ticket_id)] == [
        ("cancelled", "reopened"),
        ("sent", None),
    ]


def test_automated_deleted_and_addressless_tickets_are_skipped(runtime: Runtime) -> None:
    # given: kefu's own follow-up (no customer message), a deleted ticket, a bounced address
    database = runtime.database
    enable_csat(database)
    ann = agent(database)
    customer_id = solved_and_customer(database, ann)
    with database.unit_of_work(actor=Actor.system()) as session:
        proactive = open_ticket(
            session, subject="Your order", requester_id=customer_id, channel="email"
        ).id
    set_status(database, actor=ann, ticket_id=proactive, status="solved")
    deleted = solved_ticket(database, actor=ann, email="del@example.com")
    bounced = solved_ticket(database, actor=ann, email="gone@example.com")
    admin = Actor(kind="agent", name="Ada", agent_id=None, role="admin")
    with database.unit_of_work(actor=admin) as session:
        delete_ticket(session, actor=admin, ticket_id=deleted)
        customers.flag_bounced(session, email="gone@example.com", reason="550", at=utcnow())
    dispatch_due(database)
    # when
    counts = send_due(database, now=later(61), settings=runtime.settings)
    # then
    assert counts == {"sent": 1, "skipped": 3}
    reasons = {t: surveys_of(database, t)[0].skip_reason for t in (proactive, deleted, bounced)}
    assert reasons == {proactive: "automated", deleted: "deleted", bounced: "no_email"}


def solved_and_customer(database: Database, ann: Actor) -> int:
    ticket_id = solved_ticket(database, actor=ann)
    with database.sessions() as session:
        return session.get_one(Ticket, ticket_id).requester_id


def test_a_rating_changed_counts_once_and_each_change_is_an_event(runtime: Runtime) -> None:
    # given
    database = runtime.database
    enable_csat(database)
    ticket_id = solved_ticket(database, actor=agent(database))
    send_due(database, now=later(61), settings=runtime.settings)
    [survey] = surveys_of(database, ticket_id)
    # when
    _rate(database, survey_id=survey.id, rating="good")
    _rate(database, survey_id=survey.id, rating="bad", comment=" Too slow ", reason="slow")
    # then
    with database.sessions() as session:
        [row] = session.scalars(select(CsatRating)).all()
    assert (row.rating, row.comment, row.reason, row.changes) == ("bad", "Too slow", "slow", 1)
    payloads = [e.payload for e in _events(database, "csat.received")]
    assert [p["rating"] for p in payloads] == ["good", "bad"]
    assert payloads[1] == {
        "rating": "bad",
        "score": None,
        "comment": "Too slow",
        "reason": "slow",
        "survey_id": survey.id,
        "changed": True,
    }


def test_scores_map_to_good_and_bad_and_bad_input_changes_nothing(runtime: Runtime) -> None:
    database = runtime.database
    enable_csat(database, csat_scale="five")
    ticket_id = solved_ticket(database, actor=agent(database))
    assert _rate(database, ticket_id=ticket_id, score=4, channel="chat").rating == "good"
    assert _rate(database, ticket_id=ticket_id, score=3, channel="chat").rating == "bad"
    for bad in ({"score": 6}, {"rating": "meh"}, {"rating": "bad", "reason": "nope"}):
        with pytest.raises(InvalidInput):
            _rate(database, ticket_id=ticket_id, **bad)
    with database.sessions() as session:
        rows = session.scalars(select(CsatRating)).all()
    surveys = surveys_of(database, ticket_id)
    assert [(r.rating, r.score, r.changes) for r in rows] == [("bad", 3, 1)]
    assert len(_events(database, "csat.received")) == 2
    # the solve's email survey is not sent any more: it has its answer
    assert [s.id for s in surveys] == [rows[0].survey_id]
    assert send_due(database, now=later(61), settings=runtime.settings) == {"skipped": 1}
    assert surveys_of(database, ticket_id)[0].skip_reason == "already_rated"


def test_bad_rating_reopens_and_notifies_the_lead_through_a_trigger(runtime: Runtime) -> None:
    # given: the trigger "csat.received, rating is bad → status open, notify the lead"
    database = runtime.database
    enable_csat(database)
    lead_id = lead(database)
    add_bad_rating_trigger(database, lead_id)
    good_ticket = solved_ticket(database, actor=agent(database))
    bad_ticket = solved_ticket(database, actor=agent(database, "bo@example.com"), email="z@e.com")
    # when
    _rate(database, ticket_id=good_ticket, rating="good")
    _rate(database, ticket_id=bad_ticket, rating="bad", comment="Nobody helped")
    dispatch_due(database)
    # then
    with database.sessions() as session:
        statuses = {t: session.get_one(Ticket, t).status for t in (good_ticket, bad_ticket)}
        notified = session.scalars(
            select(Notification.ticket_id).where(Notification.agent_id == lead_id)
        ).all()
        total = session.scalar(
            select(func.count(Notification.id)).where(Notification.agent_id == lead_id)
        )
    assert statuses == {good_ticket: "solved", bad_ticket: "open"}
    assert notified == [bad_ticket] and total == 1
