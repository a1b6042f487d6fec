"""What kefu.ai read from a ticket (intent, sentiment, urgency, language): the ai domain keeps
these columns current, inbox views and searches filter on them."""

from dataclasses import dataclass

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from kefu.tickets.models import Ticket

COLUMNS = ("ai_intent", "ai_sentiment", "ai_urgency", "ai_language")


@dataclass(frozen=True, slots=True)
class AiAttributes:
    intent: str | None
    sentiment: str | None
    urgency: str | None
    language: str | None


def set_ai_attributes(session: Session, values: dict[int, AiAttributes]) -> None:
    """Store each ticket's reading in one statement. Not a change people make: no
    ticket.updated event, no audit entry, updated_at unmoved."""
    if not values:
        return
    table = Ticket.__table__
    session.execute(
        update(table)
        .where(table.c.id == bindparam("b_ticket_id"))
        .values({column: bindparam(f"b_{column}") for column in COLUMNS}),
        [
            {"b_ticket_id": ticket_id, "b_ai_intent": v.intent, "b_ai_sentiment": v.sentiment,
             "b_ai_urgency": v.urgency, "b_ai_language": v.language}
            for ticket_id, v in sorted(values.items())
        ],
    )  # fmt: skip
    for ticket_id, v in values.items():
        ticket = session.identity_map.get(identity_key(Ticket, ticket_id))
        if ticket is not None:
            values_of = (v.intent, v.sentiment, v.urgency, v.language)
            for column, value in zip(COLUMNS, values_of, strict=True):
                set_committed_value(ticket, column, value)
