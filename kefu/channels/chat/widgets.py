"""Chat widgets: their settings, the identity secret, origins, and whether chat is open now."""

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.automation.assignment import service as assignment
from kefu.channels.chat.models import ChatWidget
from kefu.channels.chat.schemas import PRECHAT_FIELDS, WidgetIn
from kefu.errors import NotFound
from kefu.kit import secretbox
from kefu.kit.actor import Actor
from kefu.kit.i18n import gettext as _
from kefu.permissions import require
from kefu.runtime import instance_key
from kefu.sla import business_hours

MANAGE = "settings.manage"
DEFAULT_GREETING = {"en": "Hi! How can we help?", "zh": "您好！有什么可以帮您？"}


def _new_secret() -> str:
    return secrets.token_urlsafe(32)


def list_widgets(session: Session, *, actor: Actor) -> list[ChatWidget]:
    require(actor, MANAGE)
    return list(session.scalars(select(ChatWidget).order_by(ChatWidget.name, ChatWidget.id)))


def get_widget(session: Session, widget_id: int) -> ChatWidget:
    widget = session.get(ChatWidget, widget_id)
    if widget is None:
        raise NotFound(_("chat widget %(id)s not found", id=widget_id))
    return widget


def widget_by_key(session: Session, public_key: str) -> ChatWidget:
    """The active widget a script tag names; NotFound for an unknown or switched-off one."""
    widget = session.scalar(select(ChatWidget).where(ChatWidget.public_key == public_key[:64]))
    if widget is None or not widget.is_active:
        raise NotFound(_("no active chat widget has this key"))
    return widget


def _apply(session: Session, widget: ChatWidget, data: WidgetIn) -> None:
    if data.team_id is not None:
        accounts.get_team(session, data.team_id)
    if data.business_schedule_id is not None:
        business_hours.get_schedule(session, data.business_schedule_id)
    widget.name = data.name.strip()
    widget.store_id = data.store_id
    widget.allowed_origins = list(data.allowed_origins)
    widget.team_id = data.team_id
    widget.business_schedule_id = data.business_schedule_id
    widget.offline_when_nobody_online = data.offline_when_nobody_online
    widget.prechat_fields = dict(data.prechat_fields)
    widget.greeting = dict(data.greeting)
    widget.colour = data.colour.lower()
    widget.assistant_first = data.assistant_first
    widget.is_active = data.is_active


def create_widget(
    session: Session, *, actor: Actor, data: WidgetIn, key: str | None = None
) -> tuple[ChatWidget, str]:
    """A new widget and its identity secret in plain text (shown once; stored encrypted)."""
    require(actor, MANAGE)
    secret = _new_secret()
    widget = ChatWidget(
        public_key=secrets.token_urlsafe(18),
        secret_enc=secretbox.encrypt(secret, key=instance_key(key)),
    )
    _apply(session, widget, data)
    session.add(widget)
    session.flush()
    return widget, secret


def update_widget(session: Session, *, actor: Actor, widget_id: int, data: WidgetIn) -> ChatWidget:
    require(actor, MANAGE)
    widget = get_widget(session, widget_id)
    _apply(session, widget, data)
    session.flush()
    return widget


def rotate_secret(session: Session, *, actor: Actor, widget_id: int, key: str | None = None) -> str:
    """A new identity secret; tokens signed with the old one stop working at once."""
    require(actor, MANAGE)
    widget = get_widget(session, widget_id)
    secret = _new_secret()
    widget.secret_enc = secretbox.encrypt(secret, key=instance_key(key))
    session.flush()
    return secret


def widget_secret(widget: ChatWidget, *, key: str | None = None) -> str:
    return secretbox.decrypt(widget.secret_enc, key=instance_key(key))


def origin_allowed(widget: ChatWidget, origin: str | None) -> bool:
    """An empty list accepts any origin; otherwise the browser's Origin must be listed
    (a request without Origin, from a server or a script, is refused then)."""
    return origin_allowed_list(list(widget.allowed_origins or []), origin)


def origin_allowed_list(allowed: list[str], origin: str | None) -> bool:
    if not allowed:
        return True
    return origin is not None and origin.strip().rstrip("/").lower() in allowed


def is_open(session: Session, widget: ChatWidget, *, now: datetime) -> bool:
    """Within the widget's business hours (always, without a schedule)."""
    if widget.business_schedule_id is None:
        return True
    try:
        schedule = business_hours.get_schedule(session, widget.business_schedule_id)
    except NotFound:
        return True
    return business_hours.calendar_of(schedule).is_open(now)


def online_agent_count(session: Session, widget: ChatWidget) -> int:
    """Agents set to online who could take the widget's chats (its team's, or anyone)."""
    if widget.team_id is not None:
        members = accounts.members_by_team(session, actor=Actor.system()).get(widget.team_id, [])
        agent_ids = [a.id for a in members if a.is_active]
    else:
        agent_ids = [
            a.id
            for a in accounts.list_agents(session, actor=Actor.system(), include_inactive=False)
        ]
    statuses = assignment.statuses_of(session, agent_ids)
    return sum(1 for status in statuses.values() if status == "online")


def is_online(session: Session, widget: ChatWidget, *, now: datetime) -> bool:
    """Live chat is offered: open hours, and (if the widget says so) somebody online."""
    if not is_open(session, widget, now=now):
        return False
    return not widget.offline_when_nobody_online or online_agent_count(session, widget) > 0


def greeting_for(widget: ChatWidget, locale: str) -> str:
    language = "zh" if locale.startswith("zh") else "en"
    return (widget.greeting or {}).get(language) or DEFAULT_GREETING[language]


def widget_config(
    session: Session, widget: ChatWidget, *, locale: str, now: datetime
) -> dict[str, Any]:
    """`GET /chat/widget/config`: what the widget shows before the shopper writes."""
    language = "zh" if locale.startswith("zh") else "en"
    fields = widget.prechat_fields or {}
    return {
        "online": is_online(session, widget, now=now),
        "greeting": greeting_for(widget, language),
        "prechat_fields": {name: fields.get(name, "off") for name in PRECHAT_FIELDS},
        "colour": widget.colour,
        "locale": language,
        "helpcenter_search_url": None,
    }


def embed_snippet(widget: ChatWidget, *, base_url: str) -> str:
    """The one tag a store pastes before </body>."""
    src = base_url.rstrip("/") + "/chat/widget.js"
    return f'<script src="{src}" data-widget="{widget.public_key}" async></script>'


DEMO_WIDGET_NAME = "Demo store"


def ensure_demo_widget(session: Session, *, key: str | None = None) -> str:
    """The demo store's widget (created once, any origin, always online): its public key."""
    widget = session.scalar(select(ChatWidget).where(ChatWidget.name == DEMO_WIDGET_NAME))
    if widget is None:
        data = WidgetIn(
            name=DEMO_WIDGET_NAME,
            offline_when_nobody_online=False,
            prechat_fields={"name": "optional", "email": "optional", "order": "optional"},
        )
        widget, _secret = create_widget(session, actor=Actor.system(), data=data, key=key)
    return widget.public_key
