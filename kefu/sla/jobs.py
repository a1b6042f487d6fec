"""The sla domain's event handlers (clocks follow their tickets) and the minute check."""

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from kefu.customers import service as customers
from kefu.errors import NotFound
from kefu.events import Event, handles
from kefu.jobs import job
from kefu.kit.actor import Actor
from kefu.kit.batch_cache import batch_cache
from kefu.kit.clock import as_utc
from kefu.runtime import current
from kefu.sla import checks, clocks, policies
from kefu.tickets import details, messages
from kefu.tickets import loading as tickets_loading
from kefu.tickets import service as tickets

log = logging.getLogger(__name__)


@handles("ticket.created", "message.added", "ticket.updated", name="sla.clocks", batch=True)
def follow_tickets(session: Session, events: list[Event]) -> None:
    """`follow_ticket` for each event, in order, with what they all read loaded at once:
    whether any policy is active, the policies and business hours (once per batch), the
    tickets' clocks, the tickets, their customers and the messages (one query each); the
    clocks and the tickets' due times are written once at the end. Without an active policy
    only the tickets that have clocks are looked at (no new clock can start then)."""
    with batch_cache(session):
        batch = clocks.ClockBatch(session, {int(event.subject_id) for event in events})
        if not policies.any_active(session):
            events = [event for event in events if batch.clocks[int(event.subject_id)]]
            if not events:
                return
        # read into the session (which holds them for the block): no query per event
        found = tickets_loading.tickets_by_ids(session, (int(e.subject_id) for e in events))
        customers.customers_by_ids(session, (t.requester_id for t in found.values()))
        tickets_loading.messages_by_ids(session, _message_ids(events))
        for event in events:
            follow_ticket(session, event, batch)
        batch.finish()


def _message_ids(events: list[Event]) -> set[int]:
    ids = ((event.payload or {}).get("message_id") for event in events)
    return {value for value in ids if isinstance(value, int)}


def follow_ticket(session: Session, event: Event, batch: clocks.ClockBatch | None = None) -> None:
    """Start, pause, resume, fulfil and re-target the ticket's clocks (idempotent: each
    change is computed from the time the ticket event happened)."""
    ticket_id = int(event.subject_id)
    payload = event.payload or {}
    known = batch.clocks_of(ticket_id) if batch else clocks.clocks_of(session, ticket_id)
    if not policies.any_active(session) and not known:
        return  # no SLA in use
    try:
        ticket = tickets.get_ticket(session, ticket_id)
    except NotFound:
        return  # deleted since: its clocks were cancelled with it
    if ticket.merged_into_id is not None:
        return
    at = as_utc(event.created_at)
    if event.type == "ticket.created":
        clocks.ticket_opened(session, ticket_id=ticket_id, at=at, batch=batch)
    elif event.type == "message.added":
        try:
            message = messages.get_message(session, int(payload["message_id"]))
        except (KeyError, NotFound):
            return
        clocks.message_added(
            session,
            ticket_id=ticket_id,
            at=at,
            kind=message.kind,
            author_type=message.author_type,
            is_automated=bool((message.details or {}).get("automated")),
            batch=batch,
        )
    else:
        clocks.ticket_changed(
            session,
            ticket_id=ticket_id,
            at=at,
            changes=payload.get("changes") or {},
            batch=batch,
        )


@handles("ticket.deleted", "ticket.merged", name="sla.clocks_stop")
def stop_clocks(session: Session, event: Event) -> None:
    """A deleted ticket, or one merged into another, has nothing due any more."""
    ticket_id = int(event.subject_id)
    try:
        ticket = tickets.get_ticket(session, ticket_id, include_deleted=True)
    except NotFound:
        return
    if ticket.deleted_at is not None or ticket.merged_into_id is not None:
        clocks.ticket_gone(session, ticket_id=ticket_id, at=as_utc(event.created_at))


CUSTOMER_GROUP_FIELDS = frozenset({"is_vip", "tags"})
CUSTOMER_TICKETS = 100  # the customer's newest tickets looked at; older ones are long solved


@handles("customer.updated", "customer.merged", name="sla.customer_group")
def follow_customer(session: Session, event: Event) -> None:
    """A customer made VIP (or tagged) moves their unsolved tickets' running clocks to the
    policy that now matches."""
    changes = (event.payload or {}).get("changes") or {}
    if event.type == "customer.updated" and not CUSTOMER_GROUP_FIELDS & set(changes):
        return
    if not policies.any_active(session):
        return
    try:
        page = details.customer_tickets(
            session,
            actor=Actor.job("sla.clocks"),
            customer_id=int(event.subject_id),
            limit=CUSTOMER_TICKETS,
        )
    except NotFound:
        return
    for ticket in page.items:
        if ticket.merged_into_id is None and ticket.status not in clocks.DONE_STATUSES:
            clocks.customer_changed(session, ticket_id=ticket.id, at=as_utc(event.created_at))


@job("sla.check_clocks", schedule="* * * * *")
def check_clocks(now: datetime | None = None) -> dict[str, int]:
    """Every minute: report the clocks whose warning or breach time has come (once each)."""
    runtime = current()
    actor = Actor.job("sla.check_clocks")
    with runtime.database.unit_of_work(actor=actor) as session:
        return checks.check_clocks(session, now=now or runtime.clock(), actor=actor)
