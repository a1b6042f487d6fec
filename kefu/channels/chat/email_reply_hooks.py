"""Wiring for replies to ended chats (kefu.channels.chat.email_replies): the `message.added`
handler that emails them and the composer's note saying where a reply will go."""

from typing import Any

from sqlalchemy.orm import Session

from kefu.channels.chat.email_replies import composer_context, email_for_reply, reply_by_email
from kefu.events import Event, handles
from kefu.runtime import current
from kefu.tickets.composer import ComposerTool, register_tool


def _agent_chat_reply(_type: str, payload: dict[str, Any]) -> bool:
    return (
        payload.get("channel") == "chat"
        and payload.get("kind") == "reply"
        and payload.get("author_type") == "agent"
    )


@handles("message.added", name="chat.email_reply", when=_agent_chat_reply)
def email_reply(session: Session, event: Event) -> None:
    payload = event.payload or {}
    if not _agent_chat_reply(event.type, payload):
        return
    message_id = int(payload["message_id"])
    if email_for_reply(session, message_id) is not None:
        mail_from = current().settings.mail_from
        reply_by_email(session, message_id=message_id, mail_from=mail_from)


register_tool(
    ComposerTool(
        key="chat.email_reply", template="chat/_email_reply_hint.html", context=composer_context
    )
)
