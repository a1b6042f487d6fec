"""Customers test data, made through the services."""

from kefu.customers import service
from kefu.customers.models import Customer
from kefu.customers.schemas import CustomerCreate
from kefu.db import Database
from kefu.kit.actor import Actor


def make_customer(
    database: Database,
    *,
    name: str = "Emily Chen",
    emails: tuple[str, ...] = ("emily@example.com",),
    phones: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    is_vip: bool = False,
) -> Customer:
    with database.unit_of_work(actor=Actor.system()) as session:
        return service.create_customer(
            session,
            actor=Actor.system(),
            data=CustomerCreate(
                name=name, emails=list(emails), phones=list(phones), tags=list(tags), is_vip=is_vip
            ),
        )
