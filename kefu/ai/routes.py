"""AI JSON API under /api/v1: a ticket's reading and an agent's intent for it, and the
store's intent taxonomy."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from kefu.ai import insights, intents
from kefu.api.routing import CONFLICT, NOT_FOUND, api_router
from kefu.kit.bounds import INT8_MAX
from kefu.permissions import require
from kefu.tickets import service as tickets
from kefu.web.deps import ApiActor, DbSession

router = api_router("ai")
TicketId = Annotated[int, Path(ge=1, le=INT8_MAX, description="the ticket's number")]


class ReadingRead(BaseModel):
    """What kefu read from the ticket's latest customer message (null: not read yet, or
    the feature is switched off); `intent_source` "agent" when an agent set the intent."""

    ticket_id: int
    message_id: int | None
    intent: str | None
    intent_confidence: float | None
    intent_source: str
    language: str | None
    sentiment: str | None
    negative_probability: float | None
    urgency: str | None
    urgency_reasons: list[str]


class IntentSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    intent: str = Field(min_length=1, max_length=64, examples=["cancel_order"])


class IntentRead(BaseModel):
    key: str
    name: str
    name_zh: str
    description: str
    is_active: bool
    examples: int


def _reading(ticket_id: int, insight: object | None) -> ReadingRead:
    if insight is None:
        return ReadingRead(ticket_id=ticket_id, message_id=None, intent=None,
                           intent_confidence=None, intent_source="model", language=None,
                           sentiment=None, negative_probability=None, urgency=None,
                           urgency_reasons=[])  # fmt: skip
    return ReadingRead.model_validate(insight, from_attributes=True)


@router.get("/tickets/{ticket_id}/ai", response_model=ReadingRead, responses=NOT_FOUND)
def ticket_reading(ticket_id: TicketId, session: DbSession, actor: ApiActor) -> ReadingRead:
    ticket = tickets.read_ticket(session, actor=actor, ticket_id=ticket_id)
    return _reading(ticket.id, insights.insight_of(session, ticket.id))


@router.put(
    "/tickets/{ticket_id}/ai/intent",
    response_model=ReadingRead,
    responses={**NOT_FOUND, **CONFLICT},
)
def set_intent(
    ticket_id: TicketId, data: IntentSet, session: DbSession, actor: ApiActor
) -> ReadingRead:
    """An agent sets or corrects the intent: it stays over the model's later answers and
    is a training label. An intent the taxonomy does not have (or has switched off) is 422;
    a closed or merged ticket does not change (409)."""
    insight = insights.set_intent(session, actor=actor, ticket_id=ticket_id, intent=data.intent)
    return _reading(ticket_id, insight)


@router.get("/ai/intents", response_model=list[IntentRead])
def list_intents(session: DbSession, actor: ApiActor) -> list[IntentRead]:
    """The store's intents in order (switched-off ones too), with how many examples each."""
    require(actor, "tickets.read")
    return [
        IntentRead(key=i.key, name=i.name, name_zh=i.name_zh, description=i.description,
                   is_active=i.is_active, examples=len(i.examples))
        for i in intents.list_intents(session)
    ]  # fmt: skip
