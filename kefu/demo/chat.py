"""The demo chat widget: Lumen Outfitters' live chat, open to any origin, so the demo store
page (/chat/demo-store) and a page of your own can try it."""

from collections.abc import Callable

from kefu.channels.chat import widgets
from kefu.channels.chat.demo_store import DEMO_WIDGET_NAME
from kefu.channels.chat.schemas import WidgetIn
from kefu.commerce import stores
from kefu.db import Database
from kefu.demo import DemoStep
from kefu.kit.actor import Actor

STORE_NAME = "Lumen Outfitters"
GREETING = {
    "en": "Hi! Questions about an order? We're here.",
    "zh": "您好！订单有问题吗？我们在线为您服务。",
}


def run(database: Database, scale: int, advance: Callable[[int], None]) -> int:
    system = Actor.system()
    with database.unit_of_work(actor=system) as session:
        if any(w.name == DEMO_WIDGET_NAME for w in widgets.list_widgets(session, actor=system)):
            return 0
        store_ids = [s.id for s in stores.list_stores(session) if s.name == STORE_NAME]
        data = WidgetIn(
            name=DEMO_WIDGET_NAME,
            store_id=store_ids[0] if store_ids else None,
            prechat_fields={"name": "optional", "email": "optional", "order": "optional"},
            greeting=GREETING,
        )
        widgets.create_widget(session, actor=system, data=data)
    advance(1)
    return 1


STEP = DemoStep(name="chat widget", run=run, size=lambda scale: 1)
