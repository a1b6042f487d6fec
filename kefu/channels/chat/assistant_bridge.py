"""The assistant answers first, in the chat widget of a store that asks for it.

A new chat of such a widget (with the "assistant" AI switch on and a help center for its
store) starts with status "assistant": the shopper's messages are stored as chat entries like
any (seq, client_id, ack after commit) but reach no agent; each one emits
`chat.assistant_asked`, and its handler (kefu.channels.chat.assistant_jobs, run after commit
by the dispatcher, never on the socket) has kefu.ai.assistant answer every entry it has not
answered yet, in seq order, as "assistant" entries. When the assistant hands over (asked,
not sure, verification failed) — or fails, or a file arrives — the chat gets its ticket, with
the assistant's summary and the conversation so far, and waits in the agents' queue like any
chat. A chat that ends while still the assistant's was contained."""

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from kefu.ai import switches
from kefu.ai.assistant import chat as assistant_chat
from kefu.ai.assistant.service import Reply
from kefu.channels.chat import helpcenter
from kefu.channels.chat.entries import (
    append_entry,
    chat_language,
    entries,
    entry_by_client_id,
    locked_chat,
    publish_status,
)
from kefu.channels.chat.models import Chat, ChatVisitor, ChatWidget
from kefu.channels.chat.schemas import EntryView
from kefu.channels.chat.visitors import MAX_MESSAGE_CHARS, chat_identity
from kefu.errors import InvalidInput, TooLarge
from kefu.events import emit
from kefu.ingest.schemas import InboundMessage, Sender
from kefu.ingest.service import ingest
from kefu.kb.helpcenter.sites import SiteView
from kefu.kit.i18n import N_
from kefu.kit.i18n import gettext as _

log = logging.getLogger(__name__)

ASKED = "chat.assistant_asked"
STATUS = "assistant"
PLAIN_SUBJECT = N_("Live chat: %(question)s")


def claim(session: Session, *, widget: ChatWidget, chat: Chat, now: datetime) -> bool:
    """Whether the assistant answers this chat: it already does, or the chat is new (nothing
    written yet, no ticket) and its widget wants the assistant first, the admin left the
    assistant on and the store has a help center to answer from."""
    if chat.status == STATUS:
        return True
    if chat.status != "waiting" or chat.ticket_id is not None or chat.last_seq:
        return False
    if not widget.assistant_first or not switches.is_on(session, "assistant"):
        return False
    site = helpcenter.site_for(session, widget)
    if site is None:
        return False
    chat.status = STATUS
    assistant_chat.start(
        session, chat_id=chat.id, store_id=site.store_id, language=language_of(site, chat),
        now=now,
    )  # fmt: skip
    session.flush()
    return True


def language_of(site: SiteView, chat: Chat) -> str:
    wanted = "zh-CN" if chat.locale.startswith("zh") else "en"
    return wanted if wanted in site.languages else site.languages[0]


def take_question(
    session: Session,
    *,
    widget: ChatWidget,
    visitor: ChatVisitor,
    chat: Chat,
    client_id: str,
    body: str,
    has_files: bool,
    now: datetime,
) -> EntryView | None:
    """Store the shopper's message for the assistant to answer (once per client_id); None
    when the chat is, or just became, the agents' (a file goes to a person with the chat)
    and the message takes the ordinary way (visitors.send_message)."""
    client_id = client_id.strip()
    if not client_id or len(client_id) > 64:
        raise InvalidInput(_("a message needs a client_id of 1 to 64 characters"))
    if len(body) > MAX_MESSAGE_CHARS:
        raise TooLarge(_("a message is at most %(max)s characters", max=MAX_MESSAGE_CHARS))
    chat = locked_chat(session, chat.id)
    earlier = entry_by_client_id(session, chat.id, client_id)
    if earlier is not None:
        return earlier
    if chat.status != STATUS:
        return None
    if has_files:  # the assistant reads no files: a person takes the chat, the file with it
        assistant_chat.ask_for_person(session, chat_id=chat.id, now=now)
        to_agents(session, chat=chat, widget=widget, visitor=visitor, now=now)
        return None
    if not body.strip():
        raise InvalidInput(_("the message is empty"))
    entry = append_entry(
        session, chat, author="visitor", body=body, name=visitor.name, client_id=client_id,
        created_at=now,
    )  # fmt: skip
    emit(session, ASKED, subject_type="chat", subject_id=chat.id,
         payload={"chat_id": chat.id, "seq": entry.seq})  # fmt: skip
    return entry


def _text(reply: Reply) -> str:
    """What the widget shows: the reply, and the article's address on its own line (the
    widget makes addresses links)."""
    return reply.body + (f"\n{reply.article_url}" if reply.article_url else "")


def _say(session: Session, chat: Chat, body: str, now: datetime) -> EntryView:
    return append_entry(session, chat, author="assistant", body=body, name="", created_at=now)


def answer_pending(
    session: Session, *, chat_id: int, base_url: str, now: datetime
) -> list[EntryView]:
    """The assistant answers every shopper entry after the last it answered, in order, until
    it hands over; an exception in the assistant hands the chat over instead (never a
    question left unanswered). Idempotent: run again, it finds nothing left to answer."""
    chat = locked_chat(session, chat_id)
    if chat.status != STATUS:
        return []
    widget = session.get(ChatWidget, chat.widget_id)
    visitor = session.get(ChatVisitor, chat.visitor_id)
    assert widget is not None and visitor is not None
    site = helpcenter.site_for(session, widget)
    done = assistant_chat.answered_seq(session, chat.id)
    questions = [e for e in entries(session, chat.id, done) if e.author == "visitor"]
    said: list[EntryView] = []
    with chat_language(chat):
        for question in questions:
            try:
                if site is None:
                    raise LookupError(f"the help center of chat {chat.id}'s store is gone")
                with session.begin_nested():
                    exchange = assistant_chat.reply(
                        session, chat_id=chat.id, seq=question.seq, site=site,
                        language=language_of(site, chat), text=question.body,
                        base=f"{base_url.rstrip('/')}/help/{site.slug}", now=now,
                    )  # fmt: skip
            except Exception:
                log.exception("chat %s: the assistant failed on entry %s", chat.id, question.seq)
                message = assistant_chat.give_up(
                    session, chat_id=chat.id, seq=question.seq, text=question.body, now=now
                )
                said.append(_say(session, chat, message, now))
                to_agents(session, chat=chat, widget=widget, visitor=visitor, now=now)
                break
            said += [_say(session, chat, _text(reply), now) for reply in exchange.replies]
            if exchange.status == "handed_over":
                to_agents(session, chat=chat, widget=widget, visitor=visitor, now=now)
                break
    return said


def sender_of(widget: ChatWidget, visitor: ChatVisitor) -> Sender:
    """The chat's shopper as ingest knows them (as kefu.channels.chat.visitors does)."""
    store_ref = (
        f"{widget.store_id}:{visitor.external_id}"
        if widget.store_id is not None and visitor.external_id
        else None
    )
    return Sender(
        email=visitor.email or None,
        chat_visitor=chat_identity(visitor),
        store_ref=store_ref,
        name=visitor.name or None,
    )


def to_agents(
    session: Session, *, chat: Chat, widget: ChatWidget, visitor: ChatVisitor, now: datetime
) -> int:
    """The chat joins the agents' queue with its ticket: the assistant's summary and the
    conversation so far (a plain transcript of the chat if even that fails)."""
    sender = sender_of(widget, visitor)
    try:
        with session.begin_nested():
            ticket_id = assistant_chat.open_ticket(session, chat_id=chat.id, sender=sender, now=now)
    except Exception:
        log.exception("chat %s: the assistant's hand-over ticket failed; a plain one", chat.id)
        ticket_id = _plain_ticket(session, chat=chat, widget=widget, sender=sender, now=now)
    chat.ticket_id, chat.status = ticket_id, "waiting"
    emit(
        session,
        "chat.started",
        subject_type="chat",
        subject_id=chat.id,
        payload={
            "ticket_id": ticket_id,
            "widget_id": widget.id,
            "team_id": chat.team_id,
            "customer_id": visitor.customer_id,
            "after_assistant": True,
        },
    )
    publish_status(session, chat, None)
    return ticket_id


def _plain_ticket(
    session: Session, *, chat: Chat, widget: ChatWidget, sender: Sender, now: datetime
) -> int:
    lines = []
    for entry in entries(session, chat.id):
        if entry.author in ("visitor", "assistant"):
            who = _("Customer") if entry.author == "visitor" else _("Assistant")
            lines.append(f"{who}: {entry.body}")
    first = next((e.body for e in entries(session, chat.id) if e.author == "visitor"), "")
    result = ingest(
        session,
        message=InboundMessage(
            channel="chat",
            source_id=f"chat:{chat.id}:assistant",
            sender=sender,
            subject=_(PLAIN_SUBJECT, question=first[:80].strip()),
            body_text="\n".join(lines) or "—",
            received_at=now,
            store_id=widget.store_id,
            details={"chat_id": chat.id, "assistant": {"reason": "failure"}},
        ),
    )
    return result.ticket_id
