"""Chat test data, made through the services."""

from typing import Any

from kefu.automation.assignment import service as assignment
from kefu.automation.assignment.schemas import AgentStatusValue
from kefu.channels.chat import widgets
from kefu.channels.chat.models import ChatWidget
from kefu.channels.chat.schemas import WidgetIn
from kefu.db import Database
from kefu.kit.actor import Actor

KEY = "test-secret-key-" + "x" * 32


def make_widget(database: Database, **fields: Any) -> tuple[ChatWidget, str]:
    """A widget (any origin, online without agents unless said) and its identity secret."""
    data = {"name": "Shop", "offline_when_nobody_online": False, **fields}
    with database.unit_of_work(actor=Actor.system()) as session:
        widget, secret = widgets.create_widget(
            session, actor=Actor.system(), data=WidgetIn(**data), key=KEY
        )
        return widget, secret


def set_online(database: Database, agent_id: int) -> None:
    with database.unit_of_work(actor=Actor.system()) as session:
        assignment.set_status(
            session, actor=Actor.system(), agent_id=agent_id, status=AgentStatusValue.ONLINE
        )
