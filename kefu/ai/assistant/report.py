"""Containment and hand-over of the assistant's conversations started in a period.

- contained: the assistant answered (from an article or an order) and nobody was needed;
  in the chat widget, every chat the shopper ended or left without being handed over;
- handed over: a ticket was opened for an agent (asked, not known, failed verification,
  the assistant failed);
- neither: the help-center visitor left before any answer (greetings, verification never
  finished).
Rates are shares of all conversations; None when there were none. `surface` "helpcenter" or
"chat" counts one of the two; None both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from kefu.ai.assistant.models import AssistantConversation

REASONS = ("asked", "unknown", "verification", "failure")
SURFACES = ("helpcenter", "chat")


@dataclass(frozen=True, slots=True)
class AssistantReport:
    conversations: int
    contained: int
    handed_over: int
    by_reason: dict[str, int]

    @property
    def containment_rate(self) -> float | None:
        return self.contained / self.conversations if self.conversations else None

    @property
    def handover_rate(self) -> float | None:
        return self.handed_over / self.conversations if self.conversations else None


def assistant_report(
    session: Session,
    *,
    since: datetime,
    until: datetime,
    store_id: int | None = None,
    surface: str | None = None,
) -> AssistantReport:
    conversation = AssistantConversation
    handed = conversation.status == "handed_over"
    in_chat = conversation.chat_id.is_not(None)
    statement = select(
        func.count(conversation.id),
        func.sum(case(((~handed) & ((conversation.answered > 0) | in_chat), 1), else_=0)),
        func.sum(case((handed, 1), else_=0)),
    ).where(conversation.created_at >= since, conversation.created_at < until)
    reasons = (
        select(conversation.handover_reason, func.count(conversation.id))
        .where(conversation.created_at >= since, conversation.created_at < until, handed)
        .group_by(conversation.handover_reason)
    )
    if surface is not None:
        where = in_chat if surface == "chat" else conversation.chat_id.is_(None)
        statement, reasons = statement.where(where), reasons.where(where)
    if store_id is not None:
        statement = statement.where(conversation.store_id == store_id)
        reasons = reasons.where(conversation.store_id == store_id)
    total, contained, handed_over = session.execute(statement).one()
    by_reason = dict.fromkeys(REASONS, 0)
    for reason, count in session.execute(reasons):
        by_reason[reason or "asked"] = int(count)
    return AssistantReport(
        conversations=int(total or 0),
        contained=int(contained or 0),
        handed_over=int(handed_over or 0),
        by_reason=by_reason,
    )
