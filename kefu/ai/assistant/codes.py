"""One-time codes: proving an order is yours without knowing its email address. The code goes
to the order's own email (an event, mailed by a handler after commit); the visitor types it
back. Only its sha256 is kept on the conversation; it works for CODE_MINUTES and MAX_TRIES."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from kefu import events
from kefu.ai.assistant.models import AssistantConversation
from kefu.commerce import queries
from kefu.events import Event, handles
from kefu.kit import mailer
from kefu.kit.actor import Actor
from kefu.kit.clock import as_utc
from kefu.kit.i18n import N_, current_language, gettext

CODE_MINUTES = 10
MAX_TRIES = 5
EVENT = "ai.assistant.code_requested"
READER = Actor.job("ai.assistant")
log = logging.getLogger(__name__)


def _digest(conversation_id: int, code: str) -> str:
    return hashlib.sha256(f"{conversation_id}:{code}".encode()).hexdigest()


def request_code(
    session: Session, *, conversation: AssistantConversation, number: str, now: datetime
) -> None:
    """Mail a new code to the email of the store's order `number`, when there is exactly one
    such order with an email (the visitor is told the same either way)."""
    page = queries.search_orders(
        session, actor=READER, number=number, store_id=conversation.store_id, limit=2
    )
    if len(page.items) != 1 or not page.items[0].email:
        conversation.code_hash = None
        return
    order = page.items[0]
    code = f"{secrets.randbelow(10**6):06d}"
    conversation.code_hash = _digest(conversation.id, code)
    conversation.code_order_id = order.id
    conversation.code_expires_at = now + timedelta(minutes=CODE_MINUTES)
    conversation.code_attempts = 0
    payload = {
        "email": order.email,
        "number": order.number,
        "code": code,
        "language": current_language.get(),
    }
    events.emit(
        session,
        EVENT,
        subject_type="assistant_conversation",
        subject_id=conversation.id,
        payload=payload,
        actor=READER,
    )


def check_code(conversation: AssistantConversation, code: str, *, now: datetime) -> str:
    """ "ok" (the order is now verified), "wrong", "expired" or "none" (no code was sent)."""
    if conversation.code_expires_at is None or conversation.code_order_id is None:
        return "none"
    if as_utc(conversation.code_expires_at) < now or conversation.code_attempts >= MAX_TRIES:
        return "expired"
    conversation.code_attempts += 1
    if not hmac.compare_digest(conversation.code_hash or "", _digest(conversation.id, code)):
        return "wrong"
    conversation.order_id = conversation.code_order_id
    conversation.code_hash = None
    conversation.code_expires_at = None
    return "ok"


@handles(EVENT, name="ai.assistant.send_code")
def send_code(session: Session, event: Event) -> None:
    """Mail the code (after the commit that stored its hash; a retry sends the same code)."""
    from kefu.runtime import current

    settings = current().settings
    data = event.payload
    token = current_language.set(data.get("language") or "en")
    try:
        subject = gettext(N_("Your code for order %(number)s"), number=data["number"])
        text = gettext(
            N_(
                "Your one-time code is %(code)s. Type it into the help-center assistant to let it "
                "read order %(number)s. It works for %(minutes)s minutes. If you did not ask for "
                "it, ignore this mail."
            ),
            code=data["code"], number=data["number"], minutes=CODE_MINUTES,
        )  # fmt: skip
    finally:
        current_language.reset(token)
    message = mailer.build_message(
        sender=settings.mail_from, to=data["email"], subject=subject, text=text
    )
    mailer.send(settings.smtp_url, message)
