"""The shopper's side of a chat: who the browser is, starting a chat, sending messages.

Every shopper message enters through kefu.ingest (channel "chat", source id
"chat:<chat>:<client_id>"), so rules, SLA, analytics and AI see it like any message, and it
is stored once however often the widget re-sends it after a reconnect."""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.channels.chat import uploads
from kefu.channels.chat.entries import (
    append_entry,
    entry_by_client_id,
    locked_chat,
    publish_queue_change,
)
from kefu.channels.chat.identity import Identity, verify_identity
from kefu.channels.chat.models import Chat, ChatVisitor, ChatWidget
from kefu.channels.chat.schemas import EntryView, PageContext, PrechatIn
from kefu.channels.chat.widgets import widget_secret
from kefu.customers import service as customers
from kefu.errors import InvalidInput, NotFound, TooLarge
from kefu.events import emit
from kefu.ingest.schemas import InboundMessage, IngestResult, Sender
from kefu.ingest.service import ingest
from kefu.kit.i18n import N_
from kefu.kit.i18n import gettext as _

MAX_MESSAGE_CHARS = 5_000
MAX_ATTACHMENTS = 5
MAX_CART_CHARS = 20_000
# A chat ended this recently is still shown on reconnect (for the rating and transcript).
RECENT_END = timedelta(hours=1)
FIELD_LABELS = {"name": N_("name"), "email": N_("email"), "order": N_("order number")}


@dataclass(slots=True)
class Greeting:
    visitor: ChatVisitor
    token: str
    chat: Chat | None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def visitor_by_token(session: Session, widget: ChatWidget, token: str | None) -> ChatVisitor:
    visitor = None
    if token and len(token) <= 200:
        visitor = session.scalar(
            select(ChatVisitor).where(ChatVisitor.token_hash == token_hash(token))
        )
    if visitor is None or visitor.widget_id != widget.id:
        raise NotFound(_("unknown visitor: open the chat again"))
    return visitor


def visitor_by_id(session: Session, visitor_id: int) -> ChatVisitor:
    visitor = session.get(ChatVisitor, visitor_id)
    if visitor is None:
        raise NotFound(_("unknown visitor: open the chat again"))
    return visitor


def previous_ticket(session: Session, visitor: ChatVisitor, *, before_chat: int) -> int | None:
    """The ticket of the visitor's chat before this one: a shopper who comes back continues
    it (ingest reopens it, or opens a follow-up when it was closed)."""
    return session.scalar(
        select(Chat.ticket_id)
        .where(Chat.visitor_id == visitor.id, Chat.id < before_chat, Chat.ticket_id.is_not(None))
        .order_by(Chat.id.desc())
        .limit(1)
    )


def greet(
    session: Session,
    *,
    widget: ChatWidget,
    token: str | None,
    identity: Identity | None,
    now: datetime,
) -> Greeting:
    """The visitor behind a browser's token (a new one, with a new token, when the token is
    unknown), identified when the store signed who they are (`check_identity`); and their
    current chat."""
    visitor = None
    if token and len(token) <= 200:
        visitor = session.scalar(
            select(ChatVisitor).where(ChatVisitor.token_hash == token_hash(token))
        )
        if visitor is not None and visitor.widget_id != widget.id:
            visitor = None
    if visitor is None:
        token = secrets.token_urlsafe(24)
        visitor = ChatVisitor(widget_id=widget.id, token_hash=token_hash(token), created_at=now)
        session.add(visitor)
        session.flush()
    assert token is not None
    visitor.last_seen_at = now
    if identity is not None:
        known = identity
        if visitor.external_id not in (None, known.external_id):
            # Another customer logged in on this browser: they get a visitor of their own.
            token = secrets.token_urlsafe(24)
            visitor = ChatVisitor(widget_id=widget.id, token_hash=token_hash(token), created_at=now)
            session.add(visitor)
        visitor.external_id = known.external_id
        visitor.name = known.name or visitor.name
        visitor.email = known.email or visitor.email
        session.flush()
        _identify(session, widget, visitor)
    return Greeting(visitor=visitor, token=token, chat=current_chat(session, visitor, now=now))


def check_identity(
    widget: ChatWidget, signed: str, *, now: datetime, key: str | None = None
) -> Identity:
    """The shopper the store vouches for; InvalidInput (code identity_refused) otherwise."""
    try:
        return verify_identity(widget_secret(widget, key=key), signed, now=now)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, code="identity_refused") from exc


def _identify(session: Session, widget: ChatWidget, visitor: ChatVisitor) -> None:
    """Link the visitor to the customer their identity, email or chat id points at."""
    store_ref = (
        f"{widget.store_id}:{visitor.external_id}"
        if widget.store_id is not None and visitor.external_id
        else None
    )
    customer = customers.identify(
        session,
        email=visitor.email,
        store_ref=store_ref,
        chat_visitor=chat_identity(visitor),
        name=visitor.name or None,
    )
    visitor.customer_id = customer.id


def chat_identity(visitor: ChatVisitor) -> str:
    """The customer identity (kind "chat") of a visitor."""
    return f"chat-visitor:{visitor.id}"


def current_chat(session: Session, visitor: ChatVisitor, *, now: datetime) -> Chat | None:
    """The visitor's open chat, or the one that ended within the last hour."""
    chat = session.scalar(
        select(Chat).where(Chat.visitor_id == visitor.id).order_by(Chat.id.desc()).limit(1)
    )
    if chat is None:
        return None
    if chat.status == "ended" and (chat.ended_at is None or chat.ended_at < now - RECENT_END):
        return None
    return chat


def own_chat(session: Session, visitor: ChatVisitor, chat_id: int) -> Chat:
    chat = session.get(Chat, chat_id)
    if chat is None or chat.visitor_id != visitor.id:
        raise NotFound(_("chat %(id)s not found", id=chat_id))
    return chat


def _clean_cart(cart: Any) -> dict[str, Any] | None:
    if cart is None:
        return None
    if not isinstance(cart, dict):
        raise InvalidInput(_("the cart is a JSON object"))
    if len(json.dumps(cart)) > MAX_CART_CHARS:
        raise TooLarge(_("the cart is too large"))
    return cart


def update_context(
    session: Session, chat: Chat, *, page: PageContext | None, cart: Any = None
) -> None:
    """The page the shopper is on and their cart, shown to the agent beside the chat."""
    if page is not None and page.url:
        chat.page_url, chat.page_title = page.url, page.title
    if cart is not None:
        chat.cart = _clean_cart(cart)


def start_chat(
    session: Session,
    *,
    widget: ChatWidget,
    visitor: ChatVisitor,
    prechat: PrechatIn,
    page: PageContext | None = None,
    cart: Any = None,
    locale: str = "en",
    now: datetime,
) -> Chat:
    """Open a chat with the pre-chat answers (required fields checked); a visitor with an
    open chat gets that one back. It reaches the agents' queue with the first message."""
    fields = widget.prechat_fields or {}
    answers = {"name": prechat.name.strip(), "email": prechat.email or "", "order": prechat.order}
    if visitor.external_id is None:  # an identified shopper is not asked again
        for name, mode in fields.items():
            if mode == "required" and not str(answers.get(name, "")).strip():
                raise InvalidInput(
                    _("please fill in the %(field)s field", field=_(FIELD_LABELS[name])),
                    code="prechat_required",
                )
    existing = current_chat(session, visitor, now=now)
    if existing is not None and existing.status != "ended":
        return existing
    if answers["name"] and not visitor.name:
        visitor.name = answers["name"][:200]
    if answers["email"] and not visitor.email:
        visitor.email = str(answers["email"]).lower()
    if visitor.email or visitor.external_id:
        _identify(session, widget, visitor)
    chat = Chat(
        widget_id=widget.id,
        visitor_id=visitor.id,
        status="waiting",
        team_id=widget.team_id,
        started_at=now,
        prechat={k: str(v) for k, v in answers.items() if fields.get(k, "off") != "off" and v},
        locale="zh" if locale.startswith("zh") else "en",
    )
    update_context(session, chat, page=page, cart=cart)
    session.add(chat)
    session.flush()
    return chat


def send_message(
    session: Session,
    *,
    widget: ChatWidget,
    visitor: ChatVisitor,
    chat: Chat,
    client_id: str,
    body: str,
    upload_ids: list[str] | None = None,
    now: datetime,
) -> tuple[EntryView, bool]:
    """Store a shopper's message once: (the entry, whether it is new). The same client_id
    again returns the first entry, so a widget may re-send whatever it has not seen acked."""
    client_id = client_id.strip()
    if not client_id or len(client_id) > 64:
        raise InvalidInput(_("a message needs a client_id of 1 to 64 characters"))
    if len(body) > MAX_MESSAGE_CHARS:
        raise TooLarge(_("a message is at most %(max)s characters", max=MAX_MESSAGE_CHARS))
    chat = locked_chat(session, chat.id)
    if chat.visitor_id != visitor.id:
        raise NotFound(_("chat %(id)s not found", id=chat.id))
    earlier = entry_by_client_id(session, chat.id, client_id)
    if earlier is not None:
        return earlier, False
    if chat.status == "ended":
        raise InvalidInput(_("this chat has ended; start a new one"), code="chat_ended")
    if len(upload_ids or []) > MAX_ATTACHMENTS:
        raise InvalidInput(_("at most %(max)s files per message", max=MAX_ATTACHMENTS))
    files = uploads.pending_uploads(session, visitor=visitor, tokens=upload_ids or [])
    if not body.strip() and not files:
        raise InvalidInput(_("the message is empty"))
    result = _ingest(session, widget, visitor, chat, client_id, body, files, now)
    if chat.ticket_id != result.ticket_id:
        is_first = chat.ticket_id is None
        chat.ticket_id = result.ticket_id
        if is_first:
            emit(
                session,
                "chat.started",
                subject_type="chat",
                subject_id=chat.id,
                payload={
                    "ticket_id": chat.ticket_id,
                    "widget_id": widget.id,
                    "team_id": chat.team_id,
                    "customer_id": result.customer_id,
                },
            )
        publish_queue_change(session, chat)
    if visitor.customer_id is None:
        visitor.customer_id = result.customer_id
    uploads.mark_sent(session, files, message_id=result.message_id)
    # The chat row is locked (locked_chat above): a second copy of this client_id from another
    # process waits for this commit and then finds the entry, so no savepoint is needed.
    entry = append_entry(
        session,
        chat,
        author="visitor",
        body=body,
        name=visitor.name,
        client_id=client_id,
        message_id=result.message_id,
        attachments=uploads.attachment_links(session, result.message_id),
        created_at=now,
    )
    return entry, True


def _ingest(
    session: Session,
    widget: ChatWidget,
    visitor: ChatVisitor,
    chat: Chat,
    client_id: str,
    body: str,
    files: list[Any],
    now: datetime,
) -> IngestResult:
    store_ref = (
        f"{widget.store_id}:{visitor.external_id}"
        if widget.store_id is not None and visitor.external_id
        else None
    )
    return ingest(
        session,
        message=InboundMessage(
            channel="chat",
            source_id=f"chat:{chat.id}:{client_id}",
            sender=Sender(
                email=visitor.email or None,
                chat_visitor=chat_identity(visitor),
                store_ref=store_ref,
                name=visitor.name or None,
            ),
            body_text=body,
            received_at=now,
            ticket_id=chat.ticket_id or previous_ticket(session, visitor, before_chat=chat.id),
            attachments=[uploads.attachment_in(f) for f in files],
            store_id=widget.store_id,
            details={"chat_id": chat.id, "client_id": client_id},
        ),
    )


def rate(
    session: Session, *, visitor: ChatVisitor, chat_id: int, score: int, comment: str | None
) -> Chat:
    """The shopper rates the chat (1–5, once; a second rating replaces the first)."""
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput(_("a rating is 1 to 5"))
    chat = own_chat(session, visitor, chat_id)
    if chat.agent_id is None and chat.status == "waiting":
        raise InvalidInput(_("a chat can be rated once an agent has answered"))
    chat.rating = score
    chat.rating_comment = (comment or "").strip()[:2000] or None
    emit(
        session,
        "chat.rated",
        subject_type="chat",
        subject_id=chat.id,
        payload={
            "ticket_id": chat.ticket_id,
            "agent_id": chat.agent_id,
            "score": score,
            "has_comment": chat.rating_comment is not None,
        },
    )
    publish_queue_change(session, chat)
    return chat
