"""Customer messages are queued by the message.added handler (no model), read by the job,
stored on the message and the ticket; an agent's intent stays and is a label; switches."""

import pytest
from sqlalchemy import func, select

from kefu.ai import insights, switches
from kefu.ai.models import MessageAnalysis, PendingAnalysis, TicketInsight
from kefu.db import Database
from kefu.dispatch import dispatch_due
from kefu.errors import InvalidInput
from kefu.events import Event, registry
from kefu.kit.actor import Actor
from kefu.tickets import search
from kefu.tickets import service as tickets
from tests.ai.factories import settle
from tests.sla.factories import agent_actor, reply
from tests.tickets.factories import receive

ANGRY = "Cancel my order right now. This is ridiculous, I will sue you and call my bank!"


def _count(database: Database, model: type) -> int:
    with database.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _switch(database: Database, on: set[str]) -> None:
    with database.unit_of_work() as session:
        switches.save(session, actor=Actor.system(), on=on)


@pytest.mark.usefixtures("runtime")
def test_the_handler_queues_customer_messages_once_and_reads_nothing(database: Database) -> None:
    # given a customer's ticket an agent answered
    ticket_id = receive(database, text=ANGRY).ticket_id
    reply(database, ticket_id=ticket_id, actor=agent_actor(database, email="zed@shop.example"))
    # when the events are dispatched, and the message.added ones delivered again
    while dispatch_due(database, batch=500).ran:
        pass
    handler = registry.get("ai.queue_messages")
    assert handler is not None and handler.batch
    with database.unit_of_work() as session:
        events = list(session.scalars(select(Event).where(Event.type == "message.added")))
        handler.fn(session, events)
    # then only the customer's message waits for reading, once, and nothing was read yet
    with database.sessions() as session:
        queued = session.execute(select(PendingAnalysis.ticket_id)).scalars().all()
    assert queued == [ticket_id]
    assert _count(database, MessageAnalysis) == 0


@pytest.mark.usefixtures("runtime")
def test_a_read_message_is_stored_on_the_message_and_the_ticket(database: Database) -> None:
    # given an angry customer asking to cancel
    arrived = receive(database, text=ANGRY)
    # when it is read
    assert settle(database) == 1
    # then the message and the ticket carry what was read, and the queue is empty
    with database.sessions() as session:
        analysis = session.get(MessageAnalysis, arrived.message_id)
        insight = session.get(TicketInsight, arrived.ticket_id)
        ticket = tickets.get_ticket(session, arrived.ticket_id)
    assert analysis is not None and insight is not None
    assert (analysis.intent, analysis.sentiment, analysis.language) == (
        "cancel_order", "negative", "en")  # fmt: skip
    assert analysis.urgency == "high" and {"legal", "chargeback"} <= set(analysis.urgency_reasons)
    assert analysis.model_version.startswith("seed-") and 0 < analysis.intent_confidence <= 1
    assert (insight.intent, insight.intent_source, insight.message_id) == (
        "cancel_order", "model", arrived.message_id)  # fmt: skip
    assert (ticket.ai_intent, ticket.ai_sentiment, ticket.ai_urgency, ticket.ai_language) == (
        "cancel_order", "negative", "high", "en")  # fmt: skip
    assert _count(database, PendingAnalysis) == 0
    # and reading again finds nothing to do
    assert settle(database) == 0


@pytest.mark.usefixtures("runtime")
def test_an_agents_intent_stays_and_labels_the_message(database: Database) -> None:
    # given a read ticket whose intent an agent corrects
    arrived = receive(database, text=ANGRY)
    settle(database)
    agent = agent_actor(database, email="zed@shop.example")
    with database.unit_of_work(actor=agent) as session:
        insights.set_intent(
            session, actor=agent, ticket_id=arrived.ticket_id, intent="refund_request"
        )
    # when the customer writes again, kindly
    later = receive(
        database, text="Thank you so much, that is wonderful service!",
        ticket_id=arrived.ticket_id,
    )  # fmt: skip
    settle(database)
    # then the ticket keeps the agent's intent, with the new message's sentiment
    with database.sessions() as session:
        insight = session.get(TicketInsight, arrived.ticket_id)
        ticket = tickets.get_ticket(session, arrived.ticket_id)
    assert insight is not None
    assert (insight.intent, insight.intent_source, insight.intent_set_by) == (
        "refund_request", "agent", agent.agent_id)  # fmt: skip
    assert insight.label_message_id == arrived.message_id  # the text the agent labelled
    assert insight.message_id == later.message_id and insight.sentiment == "positive"
    assert (ticket.ai_intent, ticket.ai_sentiment) == ("refund_request", "positive")


def test_an_unknown_intent_is_refused_and_nothing_changes(database: Database) -> None:
    arrived = receive(database, text=ANGRY)
    with pytest.raises(InvalidInput, match="unknown intent"), database.unit_of_work() as session:
        insights.set_intent(session, actor=Actor.system(), ticket_id=arrived.ticket_id,
                            intent="world_peace")  # fmt: skip
    assert _count(database, TicketInsight) == 0


@pytest.mark.usefixtures("runtime")
def test_switched_off_features_are_not_read(database: Database) -> None:
    # given intent switched off, then everything
    _switch(database, {"sentiment", "urgency"})
    first = receive(database, email="ann@example.com", text=ANGRY)
    settle(database)
    _switch(database, set())
    receive(database, email="bob@example.com", text=ANGRY)
    while dispatch_due(database, batch=500).ran:
        pass
    # then the first message has no intent, the second was not even queued
    with database.sessions() as session:
        analysis = session.get(MessageAnalysis, first.message_id)
    assert analysis is not None
    assert (analysis.intent, analysis.model_version, analysis.sentiment) == (None, "", "negative")
    assert _count(database, PendingAnalysis) == 0 and _count(database, MessageAnalysis) == 1


@pytest.mark.usefixtures("runtime")
def test_searches_and_views_filter_on_what_was_read(database: Database) -> None:
    # given an angry cancellation and a calm question, read
    angry = receive(database, email="ann@example.com", text=ANGRY).ticket_id
    receive(database, email="bob@example.com", text="Do you accept PayPal? Thanks!")
    settle(database)
    # when searching by intent, sentiment and urgency
    with database.sessions() as session:

        def found(query: str) -> list[int]:
            page = search.search_tickets(session, actor=Actor.system(), query=query)
            return [row.ticket.id for row in page.items]

        # then only the angry cancellation matches
        assert found("intent:cancel_order sentiment:negative") == [angry]
        assert found("urgency:high lang:en") == [angry]
        assert found("sentiment:positive intent:cancel_order") == []
        with pytest.raises(InvalidInput, match="unknown sentiment"):
            found("sentiment:furious")
