"""Offline mode: while chat is closed, the widget's "leave a message" becomes an email ticket,
answered by email like any other."""

from datetime import datetime

from sqlalchemy.orm import Session

from kefu.channels.chat.models import ChatVisitor, ChatWidget
from kefu.channels.chat.schemas import OfflineMessageIn
from kefu.errors import InvalidInput
from kefu.ingest.schemas import InboundMessage, IngestResult, Sender
from kefu.ingest.service import ingest
from kefu.kit.i18n import gettext as _


def offline_message(
    session: Session,
    *,
    widget: ChatWidget,
    visitor: ChatVisitor,
    data: OfflineMessageIn,
    client_id: str,
    now: datetime,
) -> IngestResult:
    """ "Leave a message" while chat is closed: an email ticket, answered by email."""
    if data.name.strip() and not visitor.name:
        visitor.name = data.name.strip()[:200]
    if not visitor.email:
        visitor.email = str(data.email).lower()
    if not client_id.strip() or len(client_id) > 64:
        raise InvalidInput(_("a message needs a client_id of 1 to 64 characters"))
    result = ingest(
        session,
        message=InboundMessage(
            channel="email",
            source_id=f"chat-offline:{visitor.id}:{client_id.strip()}",
            sender=Sender(email=data.email, name=data.name.strip() or None),
            subject=_("Message from the chat on %(widget)s", widget=widget.name),
            body_text=data.body,
            received_at=now,
            store_id=widget.store_id,
            tags=["chat-offline"],
            details={"chat_widget_id": widget.id},
        ),
    )
    visitor.customer_id = visitor.customer_id or result.customer_id
    return result
