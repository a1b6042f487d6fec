"""Agents' replies on a chat ticket reach the shopper: each becomes the chat's next entry.

An agent answers a chat with the ticket's ordinary composer; the `message.added` handler
(kefu.channels.chat.jobs) calls `deliver_agent_reply`, which is idempotent on the message (an
entry points at its message, uniquely). A reply to a chat still waiting in the queue takes
it: the agent who answers is the agent of the chat."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.channels.chat import uploads
from kefu.channels.chat.entries import (
    append_entry,
    entry_for_message,
    locked_chat,
    publish_status,
)
from kefu.channels.chat.models import Chat
from kefu.channels.chat.schemas import EntryView
from kefu.events import emit
from kefu.kit.clock import utcnow
from kefu.tickets import messages as ticket_messages


def deliver_agent_reply(session: Session, *, message_id: int) -> EntryView | None:
    """The chat entry of an agent's reply (None when its ticket has no chat)."""
    if entry_for_message(session, message_id) is not None:
        return None
    message = ticket_messages.get_message(session, message_id)
    if message.kind != "reply" or message.author_type != "agent":
        return None
    chat_id = session.scalar(
        select(Chat.id).where(Chat.ticket_id == message.ticket_id).order_by(Chat.id.desc()).limit(1)
    )
    if chat_id is None:
        return None
    chat = locked_chat(session, chat_id)
    if entry_for_message(session, message_id) is not None:  # another worker was first
        return None
    agent = (
        accounts.get_agent(session, message.author_agent_id) if message.author_agent_id else None
    )
    if chat.status == "waiting" and agent is not None:
        now = utcnow()
        chat.status, chat.agent_id, chat.accepted_at = "active", agent.id, chat.accepted_at or now
        emit(
            session,
            "chat.accepted",
            subject_type="chat",
            subject_id=chat.id,
            payload={
                "ticket_id": chat.ticket_id,
                "agent_id": agent.id,
                "wait_seconds": int((now - chat.started_at).total_seconds()),
            },
        )
        publish_status(session, chat, agent.name)
    return append_entry(
        session,
        chat,
        author="agent",
        body=message.body_text,
        name=agent.name if agent is not None else "",
        agent_id=agent.id if agent is not None else None,
        message_id=message.id,
        attachments=uploads.attachment_links(session, message.id),
        created_at=message.created_at,
    )
