"""The assistant's turn in a chat, after the shopper's message committed: run by the event
dispatcher (any process, retried), never on the widget's socket."""

from sqlalchemy.orm import Session

from kefu.channels.chat.assistant_bridge import ASKED, answer_pending
from kefu.events import Event, handles
from kefu.kit.clock import utcnow
from kefu.runtime import current


@handles(ASKED, name="chat.assistant_answer")
def assistant_answers(session: Session, event: Event) -> None:
    payload = event.payload or {}
    answer_pending(
        session,
        chat_id=int(payload["chat_id"]),
        base_url=str(current().settings.base_url),
        now=utcnow(),
    )
