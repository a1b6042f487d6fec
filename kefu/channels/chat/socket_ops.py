"""The widget socket's database work: one unit of work per frame, run in a worker thread.

Each function opens and commits its own transaction, so what it returns (an ack, a chat) is
sent to the browser only after the commit; the after-commit hook publishes the entries."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from kefu.channels.chat import assistant_bridge, offline, service, visitors, widgets
from kefu.channels.chat import transcript as transcripts
from kefu.channels.chat.entries import entries as chat_entries
from kefu.channels.chat.entries import entry_by_client_id
from kefu.channels.chat.models import Chat
from kefu.channels.chat.schemas import EntryView, OfflineMessageIn, PageContext, PrechatIn
from kefu.db import Database
from kefu.errors import InvalidInput, KefuError, describe_validation


@dataclass(slots=True)
class Welcome:
    token: str
    visitor_id: int
    name: str
    chat: dict[str, Any] | None
    online: bool
    identity_error: KefuError | None = None


@dataclass(slots=True)
class Sent:
    entry: EntryView
    chat: dict[str, Any]
    is_new_chat: bool
    extra: dict[str, Any] = field(default_factory=dict)


def chat_frame(chat: Chat, agent_name: str | None) -> dict[str, Any]:
    return {
        "id": chat.id,
        "status": chat.status,
        "agent": {"name": agent_name} if agent_name else None,
        "last_seq": chat.last_seq,
        "rating": chat.rating,
    }


def _chat_frame(session: Any, chat: Chat | None) -> dict[str, Any] | None:
    if chat is None:
        return None
    view = service.get_chat(session, chat.id)
    return chat_frame(chat, view.agent_name)


def page_of(frame: dict[str, Any]) -> PageContext | None:
    raw = frame.get("page")
    if not isinstance(raw, dict):
        return None
    return _parse(PageContext, raw)


def _parse(model: Any, raw: dict[str, Any]) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInput(describe_validation(exc.errors())) from exc  # type: ignore[arg-type]


def widget_state(database: Database, public_key: str) -> tuple[int, list[str]] | None:
    """The widget's id and allowed origins, or None when there is no such active widget."""
    with database.unit_of_work() as session:
        try:
            widget = widgets.widget_by_key(session, public_key)
        except KefuError:
            return None
        return widget.id, list(widget.allowed_origins or [])


def hello(database: Database, widget_id: int, frame: dict[str, Any], now: datetime) -> Welcome:
    identity_error = None
    with database.unit_of_work() as session:
        widget = widgets.get_widget(session, widget_id)
        signed = frame.get("identity")
        identity = None
        if isinstance(signed, str) and signed:
            try:
                identity = visitors.check_identity(widget, signed, now=now)
            except KefuError as exc:
                identity_error = exc
        token = frame.get("visitor")
        greeting = visitors.greet(
            session,
            widget=widget,
            token=token if isinstance(token, str) else None,
            identity=identity,
            now=now,
        )
        chat = greeting.chat
        if chat is not None and chat.status != "ended":
            visitors.update_context(session, chat, page=page_of(frame), cart=frame.get("cart"))
        return Welcome(
            token=greeting.token,
            visitor_id=greeting.visitor.id,
            name=greeting.visitor.name,
            chat=_chat_frame(session, chat),
            online=widgets.is_online(session, widget, now=now),
            identity_error=identity_error,
        )


def catch_up(database: Database, chat_id: int, after_seq: int) -> list[EntryView]:
    with database.sessions() as session:
        return chat_entries(session, chat_id, after_seq)


def start(
    database: Database, widget_id: int, visitor_id: int, frame: dict[str, Any], now: datetime
) -> tuple[dict[str, Any], str]:
    """The chat frame, and the visitor's name (the pre-chat one when they gave it)."""
    with database.unit_of_work() as session:
        widget = widgets.get_widget(session, widget_id)
        visitor = visitors.visitor_by_id(session, visitor_id)
        prechat = _parse(
            PrechatIn,
            {k: frame.get(k) for k in ("name", "email", "order") if frame.get(k) not in (None, "")},
        )
        chat = visitors.start_chat(
            session,
            widget=widget,
            visitor=visitor,
            prechat=prechat,
            page=page_of(frame),
            cart=frame.get("cart"),
            locale=str(frame.get("locale") or "en"),
            now=now,
        )
        assistant_bridge.claim(session, widget=widget, chat=chat, now=now)
        frame_out = _chat_frame(session, chat)
        assert frame_out is not None
        return frame_out, visitor.name


def send(
    database: Database,
    widget_id: int,
    visitor_id: int,
    frame: dict[str, Any],
    *,
    locale: str,
    now: datetime,
) -> Sent:
    """A shopper's message; starts a chat first when the visitor has none open."""
    body = frame.get("body") or ""
    attachments = frame.get("attachments") or []
    if not isinstance(body, str) or not isinstance(attachments, list):
        raise InvalidInput("body is text and attachments a list of upload ids")
    with database.unit_of_work() as session:
        widget = widgets.get_widget(session, widget_id)
        visitor = visitors.visitor_by_id(session, visitor_id)
        client_id = str(frame.get("client_id") or "")
        chat = visitors.current_chat(session, visitor, now=now)
        if chat is not None and chat.status == "ended":
            earlier = entry_by_client_id(session, chat.id, client_id.strip())
            if earlier is not None:  # sent before the chat ended; its ack was lost
                chat_out = _chat_frame(session, chat)
                assert chat_out is not None
                return Sent(entry=earlier, chat=chat_out, is_new_chat=False)
            chat = None
        is_new_chat = False
        if chat is None:
            chat = visitors.start_chat(
                session, widget=widget, visitor=visitor, prechat=PrechatIn(), locale=locale, now=now
            )
            is_new_chat = True
        entry = None
        if assistant_bridge.claim(session, widget=widget, chat=chat, now=now):
            entry = assistant_bridge.take_question(
                session, widget=widget, visitor=visitor, chat=chat, client_id=client_id,
                body=body, has_files=bool(attachments), now=now,
            )  # fmt: skip
        if entry is None:
            entry, _ = visitors.send_message(
                session,
                widget=widget,
                visitor=visitor,
                chat=chat,
                client_id=client_id,
                body=body,
                upload_ids=[str(a) for a in attachments],
                now=now,
            )
        chat_out = _chat_frame(session, chat)
        assert chat_out is not None
        return Sent(entry=entry, chat=chat_out, is_new_chat=is_new_chat)


def page(database: Database, visitor_id: int, chat_id: int, frame: dict[str, Any]) -> None:
    with database.unit_of_work() as session:
        visitor = visitors.visitor_by_id(session, visitor_id)
        chat = visitors.own_chat(session, visitor, chat_id)
        if chat.status != "ended":
            visitors.update_context(session, chat, page=page_of(frame), cart=frame.get("cart"))


def rate(database: Database, visitor_id: int, chat_id: int, frame: dict[str, Any]) -> None:
    score = frame.get("score")
    comment = frame.get("comment")
    with database.unit_of_work() as session:
        visitor = visitors.visitor_by_id(session, visitor_id)
        visitors.rate(
            session,
            visitor=visitor,
            chat_id=chat_id,
            score=score if isinstance(score, int) and not isinstance(score, bool) else 0,
            comment=comment if isinstance(comment, str) else None,
        )


def transcript(database: Database, visitor_id: int, chat_id: int, frame: dict[str, Any]) -> None:
    email = frame.get("email")
    if not isinstance(email, str) or not email.strip():
        raise InvalidInput("an email address is needed for the transcript")
    with database.unit_of_work() as session:
        visitor = visitors.visitor_by_id(session, visitor_id)
        transcripts.request_transcript(session, visitor=visitor, chat_id=chat_id, email=email)


def end(database: Database, visitor_id: int, chat_id: int) -> None:
    with database.unit_of_work() as session:
        visitor = visitors.visitor_by_id(session, visitor_id)
        chat = visitors.own_chat(session, visitor, chat_id)
        service.end(session, actor=None, chat_id=chat.id)


def offline_message(
    database: Database, widget_id: int, visitor_id: int, frame: dict[str, Any], now: datetime
) -> None:
    data = _parse(
        OfflineMessageIn,
        {k: frame.get(k) for k in ("name", "email", "body") if frame.get(k) is not None},
    )
    with database.unit_of_work() as session:
        widget = widgets.get_widget(session, widget_id)
        visitor = visitors.visitor_by_id(session, visitor_id)
        offline.offline_message(
            session,
            widget=widget,
            visitor=visitor,
            data=data,
            client_id=str(frame.get("client_id") or ""),
            now=now,
        )
