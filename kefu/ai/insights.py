"""A ticket's reading as agents see and correct it: the intent an agent sets (a training
label for the message it was set against), the panel beside the ticket, and readings by
intent for reports."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from kefu.ai import intents
from kefu.ai.models import MessageAnalysis, TicketInsight
from kefu.ai.taxonomy import OTHER
from kefu.analytics import service as analytics
from kefu.errors import InvalidInput
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow
from kefu.permissions import require
from kefu.tickets import messages as ticket_messages
from kefu.tickets import service as tickets
from kefu.tickets.ai_attributes import AiAttributes, set_ai_attributes


def insight_of(session: Session, ticket_id: int) -> TicketInsight | None:
    return session.get(TicketInsight, ticket_id)


def analyses_of(session: Session, message_ids: list[int]) -> dict[int, MessageAnalysis]:
    if not message_ids:
        return {}
    rows = session.scalars(
        select(MessageAnalysis).where(MessageAnalysis.message_id.in_(sorted(set(message_ids))))
    )
    return {row.message_id: row for row in rows}


def _latest_customer_message(session: Session, ticket_id: int) -> int | None:
    found = [
        m.id
        for m in ticket_messages.list_messages(session, ticket_id)
        if m.author_type == "customer" and m.kind == "reply" and m.body_text.strip()
    ]
    return found[-1] if found else None


def set_intent(session: Session, *, actor: Actor, ticket_id: int, intent: str) -> TicketInsight:
    """An agent sets or corrects the ticket's intent: it stays over the model's answers
    to later messages and teaches the next model (the text it labels is the customer
    message the ticket's reading came from, else the newest one)."""
    require(actor, "tickets.update")
    ticket = tickets.editable_ticket(session, ticket_id)
    known = {i.key for i in intents.list_intents(session, active_only=True)} | {OTHER.id}
    if intent not in known:
        raise InvalidInput(f"unknown intent {intent!r}")
    insight = session.get(TicketInsight, ticket.id)
    message_id = (insight.message_id if insight else None) or _latest_customer_message(
        session, ticket.id
    )
    if message_id is None:
        raise InvalidInput("the ticket has no customer message to label yet")
    if insight is None:
        insight = TicketInsight(ticket_id=ticket.id, message_id=message_id)
        session.add(insight)
    insight.intent, insight.intent_confidence = intent, None
    insight.intent_source, insight.intent_set_by = "agent", actor.agent_id
    insight.label_message_id, insight.labelled_at = message_id, utcnow()
    insight.updated_at = utcnow()
    session.flush()
    store_attributes(session, {ticket.id: AiAttributes(
        insight.intent, insight.sentiment, insight.urgency, insight.language)})  # fmt: skip
    return insight


def store_attributes(session: Session, values: dict[int, AiAttributes]) -> None:
    """The tickets' readings onto the tickets (views, search, rules) and their intent into
    the analytics' intent breakdown, the one way both stay in step."""
    set_ai_attributes(session, values)
    for ticket_id, value in sorted(values.items()):
        analytics.set_intent(session, ticket_id, value.intent)


@dataclass(frozen=True, slots=True)
class IntentCount:
    intent: str
    tickets: int
    negative: int
    high_urgency: int


def by_intent(session: Session, *, since: datetime, until: datetime) -> list[IntentCount]:
    """Tickets whose reading moved in [since, until) by their current intent, with how many
    of them are negative and of high urgency (most first)."""
    negative = func.sum(case((TicketInsight.sentiment == "negative", 1), else_=0))
    high = func.sum(case((TicketInsight.urgency == "high", 1), else_=0))
    rows = session.execute(
        select(TicketInsight.intent, func.count(), negative, high)
        .where(TicketInsight.updated_at >= since, TicketInsight.updated_at < until,
               TicketInsight.intent.is_not(None))
        .group_by(TicketInsight.intent)
        .order_by(func.count().desc(), TicketInsight.intent)
    ).all()  # fmt: skip
    return [IntentCount(str(r[0]), int(r[1]), int(r[2] or 0), int(r[3] or 0)) for r in rows]
