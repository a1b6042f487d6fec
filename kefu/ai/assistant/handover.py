"""Handing a conversation to the agents: one ticket through kefu.ingest (like any customer
message), its first message the summary and the whole conversation; what the visitor writes
afterwards is added to the same ticket."""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise

from sqlalchemy.orm import Session

from kefu.ai.assistant.models import AssistantConversation, AssistantTurn
from kefu.ai.assistant.wording import email_in, wants_human
from kefu.ai.summary import Summary, Turn, summarize
from kefu.ingest import service as ingest
from kefu.ingest.schemas import InboundMessage, Sender
from kefu.kit.i18n import N_, gettext

SUBJECT_CHARS = 80
TAG = "assistant"


def summary_of(turns: list[AssistantTurn], *, reason: str) -> Summary:
    """The thread's extractive summary, with what the assistant knows on top: the question
    it could not answer comes first and is what is pending; what it answered is done."""
    # "I want a human" is why the ticket exists, not what the customer wants from it
    thread = [
        Turn(author=t.author, text=t.body)
        for t in turns
        if t.kind != "handover" and not (t.author == "customer" and wants_human(t.body))
    ]
    summary = summarize(thread)
    unanswered = [
        question.body
        for question, reply in pairwise(turns)
        if question.author == "customer" and reply.kind == "unknown"
    ]
    summary.wants = list(dict.fromkeys([*unanswered, *summary.wants]))[:3]
    offered = [t.article_title for t in turns if t.kind == "article" and t.article_title]
    done = []
    if offered:
        done.append(
            gettext(N_("The assistant offered: %(titles)s"), titles=", ".join(offered[-3:]))
        )
    if any(t.kind == "order" for t in turns):
        done.append(gettext(N_("The customer was verified and shown their order")))
    summary.done = done or summary.done
    if unanswered:
        summary.pending = [gettext(N_("No article answers: %(question)s"), question=unanswered[-1])]
    elif reason == "asked":
        summary.pending = [gettext(N_("The customer asked for a person"))]
    elif reason == "verification":
        summary.pending = [gettext(N_("The customer could not verify their order"))]
    elif reason == "failure":
        summary.pending = [gettext(N_("The assistant failed; the customer waits for a person"))]
    return summary


def _sender(conversation: AssistantConversation) -> Sender:
    """The hand-over's sender, the same for every later message so they thread together."""
    if conversation.email:
        return Sender(email=conversation.email)
    return Sender(chat_visitor=f"assistant-{conversation.id}")


def transcript(turns: list[AssistantTurn]) -> str:
    names = {"customer": gettext(N_("Customer")), "assistant": gettext(N_("Assistant"))}
    lines = []
    for turn in turns:
        text = turn.body
        if turn.article_url:
            text += f" [{turn.article_title}: {turn.article_url}]"
        lines.append(f"{names.get(turn.author, turn.author)}: {text}")
    return "\n".join(lines)


def open_ticket(
    session: Session,
    *,
    conversation: AssistantConversation,
    turns: list[AssistantTurn],
    reason: str,
    now: datetime,
    channel: str = "web",
    sender: Sender | None = None,
    source_id: str | None = None,
    subject_template: str = N_("Help-center assistant: %(question)s"),
    details: dict[str, object] | None = None,
) -> int:
    """The hand-over ticket's id (idempotent on the conversation: ingest knows its source).
    A chat's hand-over names its own channel, sender (the chat's shopper) and source."""
    summary = summary_of(turns, reason=reason)
    if not conversation.email:
        conversation.email = next(
            (e for t in reversed(turns) if t.author == "customer" and (e := email_in(t.body))),
            None,
        )
    first = next((t.body for t in turns if t.author == "customer"), "")
    subject = gettext(subject_template, question=first[:SUBJECT_CHARS].strip())
    heading = gettext(N_("Summary"))
    body = f"{heading}\n{summary.as_text()}\n\n{gettext(N_('Conversation'))}\n{transcript(turns)}"
    message = InboundMessage(
        channel=channel,
        source_id=source_id or f"assistant:{conversation.id}",
        sender=sender or _sender(conversation),
        subject=subject,
        body_text=body,
        received_at=now,
        store_id=conversation.store_id,
        tags=[TAG],
        details={
            "assistant": {
                "conversation_id": conversation.id,
                "reason": reason,
                "summary": summary.as_dict(),
                "order_id": conversation.order_id,
                "language": conversation.language,
            },
            **(details or {}),
        },
    )
    return ingest.ingest(session, message=message).ticket_id


def relay(
    session: Session,
    *,
    conversation: AssistantConversation,
    turn: AssistantTurn,
    now: datetime,
) -> None:
    """A message written after the hand-over, added to the hand-over ticket."""
    message = InboundMessage(
        channel="web",
        source_id=f"assistant:{conversation.id}:{turn.id}",
        sender=_sender(conversation),
        body_text=turn.body,
        received_at=now,
        store_id=conversation.store_id,
        ticket_id=conversation.ticket_id,
    )
    ingest.ingest(session, message=message)
