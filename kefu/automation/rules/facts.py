"""What a rule's conditions read about one ticket, loaded only when a condition asks:
the ticket and its tags and custom fields, its customer, the latest order (through the
commerce services), business hours, the event that happened and its message."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kefu.automation.rules.models import TicketClock
from kefu.commerce import links, orders
from kefu.commerce import queries as order_queries
from kefu.customers import service as customers
from kefu.errors import NotFound
from kefu.kit.actor import Actor
from kefu.kit.money import to_major
from kefu.tickets import fields as custom_fields
from kefu.tickets import service as tickets
from kefu.tickets.messages import get_message

log = logging.getLogger(__name__)

# Condition field -> (Ticket attribute, key in a ticket.updated payload's "changes").
TICKET_COLUMNS = {
    "status": ("status", "status"),
    "priority": ("priority", "priority"),
    "type": ("type", "type"),
    "channel": ("channel", "channel"),
    "store": ("store_id", "store_id"),
    "team": ("team_id", "team_id"),
    "assignee": ("assignee_id", "assignee_id"),
    "subject": ("subject", "subject"),
}
# Condition field -> key of a call.* event's payload (kefu.channels.phone.service.call_payload).
CALL_PAYLOAD = {
    "event.call_direction": "direction",
    "event.call_outcome": "outcome",
    "event.call_disposition": "disposition",
    "event.call_duration": "duration_seconds",
    "event.call_wait": "wait_seconds",
    "event.call_line": "line_number",
    "event.call_team": "team_id",
}
# kefu.ai keeps these on the ticket (tickets.ai_*): intent, sentiment, urgency, language
MAX_TEXT = 10_000  # a pattern reads at most this much of a message


@dataclass(frozen=True, slots=True)
class EventInfo:
    """The event a trigger runs on (None for automations and for "test against ticket")."""

    id: int | None
    type: str
    payload: dict[str, Any]


def change_key(field_key: str) -> str | None:
    if field_key in TICKET_COLUMNS:
        return TICKET_COLUMNS[field_key][1]
    if field_key == "tags":
        return "tags"
    if field_key.startswith("field."):
        return "fields." + field_key.removeprefix("field.")
    return None


def business_hours_open(session: Session, *, ticket_id: int, at: datetime) -> bool:
    """The sla domain's answer (its schedule for the ticket; none at all is always open, and
    so is a kefu without the sla part)."""
    try:
        from kefu.sla.business_hours import in_business_hours
    except ImportError:
        return True
    return bool(in_business_hours(session, ticket_id=ticket_id, at=at))


@dataclass
class TicketFacts:
    """The values conditions read, each loaded once and only when asked for."""

    session: Session
    ticket_id: int
    now: datetime
    event: EventInfo | None = None
    _cache: dict[str, Any] = field(default_factory=dict)

    def _once(self, name: str, load: Any) -> Any:
        if name not in self._cache:
            self._cache[name] = load()
        return self._cache[name]

    @property
    def ticket(self) -> Any:
        return self._once("ticket", lambda: tickets.get_ticket(self.session, self.ticket_id))

    def customer(self) -> Any:
        def load() -> Any:
            try:
                return customers.get_customer(self.session, self.ticket.requester_id)
            except NotFound:
                return None

        return self._once("customer", load)

    def latest_order(self) -> Any:
        """The newest order attached to the ticket, else the customer's newest order."""

        def load() -> Any:
            system = Actor.system()
            if links.linked_order_ids(self.session, self.ticket_id):
                page = order_queries.search_orders(
                    self.session, actor=system, ticket_id=self.ticket_id, limit=1
                )
            else:
                page = order_queries.search_orders(
                    self.session, actor=system, customer_id=self.ticket.requester_id, limit=1
                )
            return page.items[0] if page.items else None

        return self._once("order", load)

    def message(self) -> Any:
        def load() -> Any:
            message_id = (self.event.payload if self.event else {}).get("message_id")
            if not isinstance(message_id, int):
                return None
            try:
                return get_message(self.session, message_id)
            except NotFound:
                return None

        return self._once("message", load)

    def changes(self) -> dict[str, list[Any]]:
        if self.event is None or self.event.type != "ticket.updated":
            return {}
        found = self.event.payload.get("changes")
        return found if isinstance(found, dict) else {}

    def clock(self) -> Any:
        return self._once("clock", lambda: self.session.get(TicketClock, self.ticket_id))

    def _hours_since(self, moment: datetime | None) -> float | None:
        if moment is None:
            return None
        return (self.now - moment).total_seconds() / 3600

    def value(self, key: str) -> Any:
        """The field's current value (None when the ticket has none)."""
        if key in TICKET_COLUMNS:
            return getattr(self.ticket, TICKET_COLUMNS[key][0])
        if key == "tags":
            return tickets.tags_of(self.session, [self.ticket_id])[self.ticket_id]
        if key.startswith("field."):
            values = self._once(
                "fields", lambda: custom_fields.current_values(self.session, [self.ticket_id])
            )
            return values[self.ticket_id].get(key.removeprefix("field."))
        if key.startswith("customer."):
            return self._customer_value(key.removeprefix("customer."))
        if key.startswith("order."):
            return self._order_value(key.removeprefix("order."))
        if key.startswith("hours_since."):
            return self._hours_since(self._moment(key.removeprefix("hours_since.")))
        if key.startswith("ai."):
            return getattr(self.ticket, "ai_" + key.removeprefix("ai."), None)
        if key == "business_hours":
            return business_hours_open(self.session, ticket_id=self.ticket_id, at=self.now)
        if key == "message.text":
            message = self.message()
            return (message.body_text or "")[:MAX_TEXT] if message is not None else None
        if key == "message.is_automated":
            message = self.message()
            return bool((message.details or {}).get("automated")) if message else False
        if key == "event.sla_metric":
            return (self.event.payload if self.event else {}).get("metric")
        if key.startswith("event.call_"):
            return (self.event.payload if self.event else {}).get(CALL_PAYLOAD[key])
        if key in ("event.csat_rating", "event.csat_score"):
            return (self.event.payload if self.event else {}).get(key.removeprefix("event.csat_"))
        return None

    def _moment(self, which: str) -> datetime | None:
        ticket = self.ticket
        if which == "created":
            return ticket.created_at
        if which == "updated":
            return ticket.updated_at
        if which == "solved":
            return ticket.solved_at if ticket.status in ("solved", "closed") else None
        clock = self.clock()
        if which == "pending":
            return clock.pending_since if clock and ticket.status == "pending" else None
        return clock.last_customer_message_at if clock else None

    def _customer_value(self, name: str) -> Any:
        customer = self.customer()
        if customer is None:
            return None
        if name == "is_vip":
            return bool(customer.is_vip)
        if name == "tags":
            return list(customer.tags or [])
        if name == "language":
            return customer.language
        identities = customers.identities_of(self.session, [customer.id])[customer.id]
        emails = [i.value for i in identities if i.kind == "email"]
        return emails[0].rpartition("@")[2].lower() if emails else None

    def _order_value(self, name: str) -> Any:
        order = self.latest_order()
        if order is None:
            return None
        if name == "total":
            return float(to_major(order.total_minor, order.currency))
        if name == "tracking_status":
            shipments = orders.fulfilments_of(self.session, [order.id])[order.id]
            return shipments[-1].status if shipments else None
        return getattr(order, name)
