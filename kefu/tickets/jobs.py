"""Tickets' event handlers: keep the search index current as tickets, messages and
customers change. Each rewrites whole documents from the current rows, so a retry or a
late run converges on the same index. Notifications' handlers live in notify_jobs."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from kefu.events import Event, handles, locks_subjects
from kefu.tickets import loading as tickets_loading
from kefu.tickets import notify_jobs as notify_jobs
from kefu.tickets.models import Ticket
from kefu.tickets.search_index import (
    MOVED_MESSAGE_KEYS,
    REBUILD_BATCH,
    PreparedDocuments,
    index_tickets,
    prepare_documents,
)

# Ticket changes that alter what search finds (status, tags and the like are filters).
SEARCHED_TICKET_FIELDS = frozenset({"subject", "requester_id"})
# Customer changes that cannot alter their tickets' documents.
UNSEARCHED_CUSTOMER_FIELDS = frozenset(
    {"language", "time_zone", "tags", "notes", "is_vip", "details", "updated_at"}
)


locks_subjects("ticket")(tickets_loading.lock_ticket_rows)  # see kefu/events.py


def searched_ticket_ids(event: Event) -> set[int]:
    """The tickets whose documents an event changes (none for an unsearched field)."""
    payload = event.payload or {}
    if event.type == "ticket.updated":
        changes = payload.get("changes") or {}
        if not SEARCHED_TICKET_FIELDS & set(changes):
            return set()
    ids = {int(event.subject_id)}
    # a merge moves messages into the survivor; a split moves one out of the original
    for key in MOVED_MESSAGE_KEYS:
        if payload.get(key) is not None:
            ids.add(int(payload[key]))
    return ids


def _searched(events: list[Event]) -> set[int]:
    ids: set[int] = set()
    for event in events:
        ids |= searched_ticket_ids(event)
    return ids


def _prepare_documents(session: Session, events: list[Event]) -> PreparedDocuments:
    return prepare_documents(session, _searched(events))


@handles(
    "ticket.created",
    "ticket.updated",
    "message.added",
    "ticket.merged",
    "ticket.split",
    "ticket.restored",
    name="tickets.search_index",
    batch=True,
    prepare=_prepare_documents,
)
def index_ticket_events(
    session: Session, events: list[Event], prepared: PreparedDocuments | None = None
) -> None:
    """Each ticket the batch's events touched is indexed once (a new ticket's "created" and
    "message.added" and its "ticket.updated" would otherwise write its document three times);
    on SQLite mostly tokenized before the transaction (`prepare`)."""
    ids = _searched(events)
    if ids:
        index_tickets(session, ids, prepared)


def index_ticket(session: Session, event: Event) -> None:
    """Index what one event touched."""
    index_ticket_events(session, [event])


@handles("customer.updated", "customer.merged", name="tickets.search_index_customer")
def index_customer_tickets(session: Session, event: Event) -> None:
    """A customer's name or addresses are in each of their tickets' documents."""
    changes = (event.payload or {}).get("changes")
    if event.type == "customer.updated" and changes and set(changes) <= UNSEARCHED_CUSTOMER_FIELDS:
        return
    ticket_ids = list(
        session.scalars(
            select(Ticket.id)
            .where(Ticket.requester_id == int(event.subject_id))
            .order_by(Ticket.id)
        )
    )
    for start in range(0, len(ticket_ids), REBUILD_BATCH):
        index_tickets(session, ticket_ids[start : start + REBUILD_BATCH])
