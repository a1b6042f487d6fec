"""What a macro template may read about a ticket, built from the services as plain values:
the ticket, its customer, their latest order with its tracking, and the agent writing."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from kefu.accounts import service as accounts
from kefu.automation.macros.sandbox import Facts
from kefu.commerce import queries as orders
from kefu.commerce.carriers import tracking_url_for
from kefu.commerce.schemas import FULFILMENT_LABELS, PAYMENT_LABELS, TRACKING_LABELS, OrderRead
from kefu.customers import service as customers
from kefu.kit.actor import Actor
from kefu.kit.i18n import translations_for
from kefu.kit.money import format_money
from kefu.tickets import service as tickets

LOCALES = {"en": "en", "zh_Hans": "zh_Hans_CN"}


def first_name(name: str) -> str:
    """The first word of a name ("Emily Chen" → "Emily"); a name without spaces is whole."""
    parts = name.split()
    return parts[0] if parts else ""


def _base_url() -> str:
    try:
        from kefu.runtime import current

        return current().settings.base_url.rstrip("/")
    except RuntimeError:
        return ""


def _ticket(session: Session, ticket_id: int) -> tuple[Facts, int]:
    ticket = tickets.get_ticket(session, ticket_id)
    values = {
        "id": ticket.id,
        "subject": ticket.subject,
        "status": ticket.status,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "url": f"{_base_url()}/tickets/{ticket.id}",
        "tags": tickets.tags_of(session, [ticket.id])[ticket.id],
    }
    if ticket.type:
        values["type"] = ticket.type
    return Facts("ticket", values), ticket.requester_id


def _customer(session: Session, customer_id: int) -> tuple[Facts, str | None]:
    customer = customers.get_customer(session, customer_id)
    values: dict[str, Any] = {"is_vip": customer.is_vip}
    if customer.name:
        values.update(name=customer.name, first_name=first_name(customer.name))
    emails = [i.value for i in customers.identities_of(session, [customer_id])[customer_id]]
    emails = [e for e in emails if "@" in e]
    if emails:
        values["email"] = emails[0]
    if customer.language:
        values["language"] = customer.language
    return Facts("customer", values), customer.language


def latest_order(session: Session, *, ticket_id: int, customer_id: int) -> OrderRead | None:
    """The order a reply is most likely about: the newest one attached to the ticket, else
    the customer's newest."""
    system = Actor.system()
    page = orders.search_orders(session, actor=system, ticket_id=ticket_id, limit=1)
    if not page.items:
        page = orders.search_orders(session, actor=system, customer_id=customer_id, limit=1)
    return orders.order_reads(session, page.items)[0] if page.items else None


def _label(labels: dict[str, str], code: str, language: str) -> str:
    """A status as the customer reads it ("In transit" / "运输中"), its code if unlabelled."""
    return translations_for(language).gettext(labels[code]) if code in labels else code


def _order(session: Session, order: OrderRead, language: str) -> Facts:
    locale = LOCALES.get(language, "en")
    values: dict[str, Any] = {
        "number": order.number,
        "status": order.status,
        "payment_status": _label(PAYMENT_LABELS, order.payment_status, language),
        "fulfilment_status": _label(FULFILMENT_LABELS, order.fulfilment_status, language),
        "total": format_money(order.total_minor, order.currency, locale),
        "currency": order.currency,
        "placed_at": order.placed_at.date().isoformat(),
        "items": [
            Facts(
                "item",
                {
                    "title": item.title,
                    "variant": item.variant_title,
                    "sku": item.sku,
                    "quantity": item.quantity,
                    "price": format_money(item.unit_price_minor, order.currency, locale),
                },
            )
            for item in order.items
        ],
    }
    shipped = [f for f in order.fulfilments if f.tracking_number]
    if shipped:
        last = shipped[-1]
        values.update(
            carrier=last.carrier,
            tracking_number=last.tracking_number,
            tracking_status=_label(TRACKING_LABELS, last.status, language),
            tracking_url=last.tracking_url
            or tracking_url_for(session, last.carrier, last.tracking_number),
        )
        if not values["tracking_url"]:
            del values["tracking_url"]
    return Facts("order", values)


def _agent(session: Session, agent_id: int | None) -> Facts:
    if agent_id is None:
        return Facts("agent", {})
    agent = accounts.get_agent(session, agent_id)
    values = {"name": agent.name, "first_name": first_name(agent.name)}
    if agent.signature.strip():
        values["signature"] = agent.signature
    return Facts("agent", values)


def customer_language(session: Session, ticket_id: int) -> str | None:
    """The language the ticket's customer reads, when known."""
    ticket = tickets.get_ticket(session, ticket_id)
    return customers.get_customer(session, ticket.requester_id).language


def build_context(
    session: Session, *, ticket_id: int, agent_id: int | None, language: str
) -> dict[str, Any]:
    """The template's variables. A value the ticket does not have is left out, so the
    template shows "[order.tracking_number]" there (see sandbox.Missing)."""
    ticket, customer_id = _ticket(session, ticket_id)
    customer, _ = _customer(session, customer_id)
    context: dict[str, Any] = {
        "ticket": ticket,
        "customer": customer,
        "agent": _agent(session, agent_id),
    }
    order = latest_order(session, ticket_id=ticket_id, customer_id=customer_id)
    if order is not None:
        context["order"] = _order(session, order, language)
    return context
