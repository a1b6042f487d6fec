"""Chat test data for the agent pages, made through chat-server's services."""

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kefu.channels.chat import visitors, widgets
from kefu.channels.chat.schemas import PageContext, PrechatIn, WidgetIn
from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.kit.clock import utcnow

KEY = "test-secret-key-" + "x" * 32  # the settings fixture's instance key
CART = {
    "currency": "USD",
    "items": [{"sku": "MUG-1", "name": "Blue mug", "price": "12.00", "quantity": 2}],
    "total": "24.00",
}


@dataclass(frozen=True, slots=True)
class Started:
    chat_id: int
    ticket_id: int
    token: str


def make_widget(database: Database, *, name: str = "Shop", **fields: Any) -> int:
    fields.setdefault(
        "prechat_fields", {"name": "optional", "email": "required", "order": "optional"}
    )
    with database.unit_of_work(actor=Actor.system()) as session:
        widget, _secret = widgets.create_widget(
            session, actor=Actor.system(), data=WidgetIn(name=name, **fields), key=KEY
        )
        return widget.id


def start_chat(
    database: Database,
    *,
    widget_id: int,
    name: str = "Mei Lin",
    email: str = "mei@example.com",
    order: str = "1042",
    body: str = "Where is my parcel?",
    cart: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Started:
    """A shopper opens the widget, fills in the pre-chat form and writes: the chat waits."""
    now = at or utcnow()
    with database.unit_of_work() as session:
        widget = widgets.get_widget(session, widget_id)
        greeting = visitors.greet(session, widget=widget, token=None, identity=None, now=now)
        chat = visitors.start_chat(
            session,
            widget=widget,
            visitor=greeting.visitor,
            prechat=PrechatIn(name=name, email=email, order=order),
            page=PageContext(url="https://shop.example/mugs/blue", title="Blue mug"),
            cart=CART if cart is None else cart,
            now=now,
        )
        say(session, widget_id=widget_id, token=greeting.token, chat_id=chat.id, body=body, now=now)
        assert chat.ticket_id is not None
        return Started(chat.id, chat.ticket_id, greeting.token)


def say(
    session: Any, *, widget_id: int, token: str, chat_id: int, body: str, now: datetime
) -> None:
    widget = widgets.get_widget(session, widget_id)
    visitor = visitors.visitor_by_token(session, widget, token)
    chat = visitors.own_chat(session, visitor, chat_id)
    client_id = uuid.uuid4().hex
    visitors.send_message(
        session, widget=widget, visitor=visitor, chat=chat, client_id=client_id, body=body, now=now
    )


def shopper_says(database: Database, started: Started, widget_id: int, body: str) -> None:
    with database.unit_of_work() as session:
        say(
            session,
            widget_id=widget_id,
            token=started.token,
            chat_id=started.chat_id,
            body=body,
            now=utcnow(),
        )
