"""Macros test data, made through the macros service."""

from typing import Any

from kefu.automation.macros import service
from kefu.automation.macros.models import Macro
from kefu.automation.macros.schemas import MacroCreate
from kefu.db import Database
from kefu.kit.actor import Actor


def make_macro(
    database: Database,
    *,
    actor: Actor | None = None,
    name: str = "Where is my order",
    en: str = "Hi {{ customer.first_name }}, order {{ order.number }} is on its way.",
    zh: str | None = None,
    **values: Any,
) -> Macro:
    who = actor or Actor.system()
    bodies = {"en": en, **({"zh-CN": zh} if zh is not None else {})}
    data = MacroCreate(name=name, bodies=bodies, **values)
    with database.unit_of_work(actor=who) as session:
        return service.create_macro(session, actor=who, data=data)
