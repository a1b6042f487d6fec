"""A chat's transcript by email, for the shopper who asked for it in the widget."""

from datetime import datetime

from sqlalchemy.orm import Session

from kefu.channels.chat.entries import chat_language
from kefu.channels.chat.entries import entries as chat_entries
from kefu.channels.chat.models import Chat, ChatVisitor, ChatWidget
from kefu.channels.chat.visitors import own_chat
from kefu.customers.identities import normalize_email
from kefu.events import emit
from kefu.kit.i18n import gettext as _


def transcript_text(session: Session, chat: Chat, *, base_url: str) -> tuple[str, str]:
    """(subject, plain text) in the shopper's language: every entry, times in UTC."""
    widget = session.get(ChatWidget, chat.widget_id)
    store = widget.name if widget is not None else "kefu"
    with chat_language(chat):
        subject = _("Your chat with %(store)s", store=store)
        lines = [
            _(
                "Your chat with %(store)s on %(date)s (UTC)",
                store=store,
                date=_day(chat.started_at),
            ),
            "",
        ]
        for entry in chat_entries(session, chat.id, 0, limit=5000):
            when = entry.created_at.strftime("%H:%M")
            if entry.author == "system":
                lines.append(f"[{when}] — {entry.body}")
                continue
            names = {"visitor": _("You"), "assistant": _("Assistant")}
            who = entry.name or names.get(entry.author, _("Agent"))
            lines.append(f"[{when}] {who}: {entry.body}")
            for item in entry.attachments:
                lines.append(f"    {item.get('name')}: {base_url.rstrip('/')}{item.get('url')}")
        lines += ["", _("Thank you for chatting with us.")]
    return subject, "\n".join(lines) + "\n"


def _day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def request_transcript(session: Session, *, visitor: ChatVisitor, chat_id: int, email: str) -> Chat:
    """Mail the transcript to `email` when the chat ends (at once if it has ended)."""
    chat = own_chat(session, visitor, chat_id)
    chat.transcript_to = normalize_email(email)
    chat.transcript_sent_at = None
    emit(
        session,
        "chat.transcript_requested",
        subject_type="chat",
        subject_id=chat.id,
        payload={"ticket_id": chat.ticket_id},
    )
    return chat
