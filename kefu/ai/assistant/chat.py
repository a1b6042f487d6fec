"""The assistant in the store's chat widget: the same conversation rules as the help center
(kefu.ai.assistant.service), a conversation per chat instead of per browser token, and a
hand-over whose ticket is the chat's (channel "chat", the chat's shopper as its sender)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.ai.assistant import handover, service
from kefu.ai.assistant.models import AssistantConversation, AssistantTurn
from kefu.ai.assistant.service import Exchange
from kefu.errors import NotFound
from kefu.ingest.schemas import Sender
from kefu.kb.helpcenter.sites import SiteView
from kefu.kit.i18n import N_, gettext

CHAT_SUBJECT = N_("Live chat assistant: %(question)s")
FAILED = N_("Sorry, I cannot answer right now. I'm passing you to a colleague.")


def _of_chat(session: Session, chat_id: int) -> AssistantConversation:
    found = session.scalar(
        select(AssistantConversation).where(AssistantConversation.chat_id == chat_id)
    )
    if found is None:
        raise NotFound(
            gettext(N_("The assistant has no conversation for chat %(id)s."), id=chat_id)
        )
    return found


def start(session: Session, *, chat_id: int, store_id: int, language: str, now: datetime) -> int:
    """The chat's conversation with the assistant (made once; its token is never shown: the
    chat's own visitor token already proves who writes)."""
    found = session.scalar(
        select(AssistantConversation.id).where(AssistantConversation.chat_id == chat_id)
    )
    if found is not None:
        return found
    conversation, _token = service.conversation_for(
        session, token=None, store_id=store_id, language=language, now=now
    )
    conversation.chat_id = chat_id
    session.flush()
    return conversation.id


def answered_seq(session: Session, chat_id: int) -> int:
    """The seq of the last chat entry the assistant answered (0 before the first)."""
    return _of_chat(session, chat_id).chat_seq


def reply(
    session: Session,
    *,
    chat_id: int,
    seq: int,
    site: SiteView,
    language: str,
    text: str,
    base: str,
    now: datetime,
) -> Exchange:
    """The assistant's replies to the chat entry `seq` (articles are linked under `base`)."""
    conversation = _of_chat(session, chat_id)
    exchange = service.reply_to(
        session, conversation=conversation, site=site, language=language, text=text, base=base,
        now=now,
    )  # fmt: skip
    conversation.chat_seq = seq
    return exchange


def give_up(session: Session, *, chat_id: int, seq: int, text: str, now: datetime) -> str:
    """The assistant failed on the entry `seq`: the question is kept, the conversation is
    handed over (reason "failure"); what to tell the shopper."""
    conversation = _of_chat(session, chat_id)
    message = gettext(FAILED)
    session.add_all(
        [
            AssistantTurn(conversation_id=conversation.id, author="customer", kind="question",
                          body=text, created_at=now),
            AssistantTurn(conversation_id=conversation.id, author="assistant", kind="handover",
                          body=message, created_at=now),
        ]
    )  # fmt: skip
    conversation.chat_seq = max(conversation.chat_seq, seq)
    if conversation.status != "handed_over":
        conversation.status, conversation.handover_reason = "handed_over", "failure"
        conversation.handed_over_at = now
    session.flush()
    return message


def ask_for_person(session: Session, *, chat_id: int, now: datetime) -> None:
    """Handed over without a question to answer (the shopper attached a file)."""
    conversation = _of_chat(session, chat_id)
    if conversation.status != "handed_over":
        conversation.status, conversation.handover_reason = "handed_over", "asked"
        conversation.handed_over_at = now
        session.flush()


def open_ticket(session: Session, *, chat_id: int, sender: Sender, now: datetime) -> int:
    """The chat's hand-over ticket: the assistant's summary on top, then the conversation so
    far (idempotent: one ticket per chat)."""
    conversation = _of_chat(session, chat_id)
    if conversation.ticket_id is not None:
        return conversation.ticket_id
    turns = service.turns_of(session, conversation.id)
    conversation.ticket_id = handover.open_ticket(
        session, conversation=conversation, turns=turns,
        reason=conversation.handover_reason or "asked", now=now, channel="chat", sender=sender,
        source_id=f"chat:{chat_id}:assistant", subject_template=CHAT_SUBJECT,
        details={"chat_id": chat_id},
    )  # fmt: skip
    return conversation.ticket_id
