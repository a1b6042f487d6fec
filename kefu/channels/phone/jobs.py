"""The phone channel's event handlers: an agent's written reply on a phone ticket leaves by
email when the customer has an address (kefu.channels.email.by_email); a logged call stays on
the ticket (it has its own source id, so it is never mailed)."""

from typing import Any

from sqlalchemy.orm import Session

from kefu.channels.email.by_email import can_send_by_email, send_by_email
from kefu.events import Event, handles
from kefu.runtime import current


def _agent_phone_reply(_type: str, payload: dict[str, Any]) -> bool:
    return (
        payload.get("channel") == "phone"
        and payload.get("kind") == "reply"
        and payload.get("author_type") == "agent"
    )


@handles("message.added", name="phone.email_reply", when=_agent_phone_reply)
def email_reply(session: Session, event: Event) -> None:
    """Without an address the reply stays on the ticket (the composer said so before)."""
    payload = event.payload or {}
    if not _agent_phone_reply(event.type, payload):
        return
    message_id = int(payload["message_id"])
    if can_send_by_email(session, message_id=message_id, from_channel="phone"):
        mail_from = current().settings.mail_from
        send_by_email(session, message_id=message_id, from_channel="phone", mail_from=mail_from)
