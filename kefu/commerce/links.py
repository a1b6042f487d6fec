"""Which tickets are about which orders: attached by an agent, or named in the messages."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu import events
from kefu.commerce.models import Order, TicketOrder
from kefu.errors import InvalidInput, NotFound
from kefu.kit.actor import Actor
from kefu.permissions import require
from kefu.tickets import service as tickets

# "#1001", "US100203", "订单号：CN100234", "order 1001-2": a run with at least three digits
_TOKEN = re.compile(r"(?<![A-Za-z0-9_/.@-])(#?)([A-Za-z]{0,4}\d{3,}(?:-\d{1,4})?)(?![A-Za-z0-9_@])")
_ORDER_WORDS = re.compile(r"(order|ord\.?|no\.?|number|订单|单号|订单号)\s*[:：#]?\s*$", re.I)
MAX_CANDIDATES = 40


def number_candidates(text: str) -> tuple[set[str], set[str]]:
    """Tokens that may be order numbers: (any, explicit). Explicit ones are written as an
    order number ("#1001", "order 1001", "订单号 1001"), so they may name another customer's
    order; the rest only count for the requester's own orders."""
    found: set[str] = set()
    explicit: set[str] = set()
    for match in _TOKEN.finditer(text):
        token = match.group(2).upper()
        found.add(token)
        before = text[max(0, match.start() - 12) : match.start()]
        if match.group(1) or _ORDER_WORDS.search(before):
            explicit.add(token)
        if len(found) >= MAX_CANDIDATES:
            break
    return found, explicit


def mentioned_orders(session: Session, *, texts: list[str], customer_id: int) -> list[Order]:
    """Orders named in the texts: the customer's own by any token, others only when the
    token was written as an order number."""
    found: set[str] = set()
    explicit: set[str] = set()
    for text in texts:
        more, more_explicit = number_candidates(text)
        found |= more
        explicit |= more_explicit
    if not found:
        return []
    statement = select(Order).where(Order.number.in_(sorted(found))).order_by(Order.id)
    orders = list(session.scalars(statement))
    by_number: dict[str, list[Order]] = {}
    for order in orders:
        by_number.setdefault(order.number.upper(), []).append(order)
    chosen = []
    for number, candidates in by_number.items():
        own = [o for o in candidates if o.customer_id == customer_id]
        if own:
            chosen.extend(own)
        elif number in explicit and len(candidates) == 1:
            chosen.extend(candidates)
    return chosen


def linked_order_ids(session: Session, ticket_id: int) -> list[int]:
    statement = select(TicketOrder.order_id).where(TicketOrder.ticket_id == ticket_id)
    return list(session.scalars(statement.order_by(TicketOrder.created_at)))


def linked_ticket_ids(session: Session, order_id: int) -> list[int]:
    statement = select(TicketOrder.ticket_id).where(TicketOrder.order_id == order_id)
    return list(session.scalars(statement.order_by(TicketOrder.ticket_id)))


def find_order_by_number(session: Session, number: str) -> Order:
    """The order an agent typed (with or without "#"); ambiguous numbers are refused."""
    wanted = number.strip().lstrip("#").strip()
    if not wanted:
        raise InvalidInput("type an order number")
    orders = list(session.scalars(select(Order).where(Order.number == wanted).limit(2)))
    if not orders:
        orders = list(session.scalars(select(Order).where(Order.external_id == wanted).limit(2)))
    if not orders:
        raise NotFound(f"no order has the number {wanted}")
    if len(orders) > 1:
        raise InvalidInput(f"several stores have an order {wanted}: attach it from the store")
    return orders[0]


def attach_order(
    session: Session,
    *,
    actor: Actor,
    ticket_id: int,
    order_id: int | None = None,
    number: str | None = None,
) -> Order:
    """Attach a ticket to an order (once; attaching again changes nothing)."""
    require(actor, "tickets.update")
    ticket = tickets.editable_ticket(session, ticket_id)
    order = (
        session.get(Order, order_id) if order_id else find_order_by_number(session, number or "")
    )
    if order is None:
        raise NotFound(f"order {order_id} does not exist")
    if session.get(TicketOrder, (ticket.id, order.id)) is None:
        session.add(
            TicketOrder(
                ticket_id=ticket.id, order_id=order.id, linked_by="agent", agent_id=actor.agent_id
            )
        )
        session.flush()
        events.emit(
            session,
            "ticket.order_attached",
            subject_type="ticket",
            subject_id=ticket.id,
            payload={"order_id": order.id, "number": order.number},
            actor=actor,
        )
    return order


def detach_order(session: Session, *, actor: Actor, ticket_id: int, order_id: int) -> None:
    require(actor, "tickets.update")
    ticket = tickets.editable_ticket(session, ticket_id)
    link = session.get(TicketOrder, (ticket.id, order_id))
    if link is not None:
        session.delete(link)
        session.flush()
