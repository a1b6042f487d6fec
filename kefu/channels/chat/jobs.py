"""Chat's event handlers: agents' replies to the widget, transcripts by email."""

import logging
from typing import Any

from sqlalchemy.orm import Session

from kefu.channels.chat import email_reply_hooks  # noqa: F401  (replies to ended chats by email)
from kefu.channels.chat.models import Chat
from kefu.channels.chat.replies import deliver_agent_reply
from kefu.channels.chat.transcript import transcript_text
from kefu.events import Event, handles
from kefu.kit import mailer
from kefu.kit.clock import utcnow
from kefu.runtime import current

log = logging.getLogger(__name__)


def _agent_chat_reply(_type: str, payload: dict[str, Any]) -> bool:
    return (
        payload.get("channel") == "chat"
        and payload.get("kind") == "reply"
        and payload.get("author_type") == "agent"
    )


@handles("message.added", name="chat.deliver_reply", when=_agent_chat_reply)
def deliver_reply(session: Session, event: Event) -> None:
    payload = event.payload or {}
    if _agent_chat_reply(event.type, payload):
        deliver_agent_reply(session, message_id=int(payload["message_id"]))


@handles("chat.ended", "chat.transcript_requested", name="chat.send_transcript")
def send_transcript(session: Session, event: Event) -> None:
    """Mail the transcript once the chat has ended, if the shopper asked for it (once; a new
    request after sending sends it again)."""
    chat = session.get(Chat, int(event.subject_id))
    if chat is None or chat.status != "ended" or not chat.transcript_to:
        return
    if chat.transcript_sent_at is not None:
        return
    settings = current().settings
    subject, text = transcript_text(session, chat, base_url=settings.base_url)
    message = mailer.build_message(
        sender=settings.mail_from, to=chat.transcript_to, subject=subject, text=text
    )
    mailer.send(settings.smtp_url, message)
    chat.transcript_sent_at = utcnow()
    log.info("chat %s: transcript mailed", chat.id)


from kefu.channels.chat import assistant_jobs  # noqa: E402, F401  (the assistant answers first)
