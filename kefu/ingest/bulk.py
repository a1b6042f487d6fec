"""Bulk ingest, the plan: a batch of inbound email planned in order against what the
database holds (read in a few queries) and what the batch itself has added so far, so a
customer's first mail and their reply to it in the same batch thread as they would one by
one. kefu.ingest.bulk_write writes the plan in multi-row statements.

Identification, threading, CCs and the sender limit follow `ingest` exactly. What the plan
does not cover (an agent's own reply, a follow-up of a closed ticket, a customer's name to
fill in, tags on a new ticket, a subject token it cannot resolve) stops it there: the caller
stores that message through `ingest` and plans the rest again."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from kefu.customers.bulk import Person
from kefu.customers.identities import normalize_email
from kefu.errors import InvalidInput
from kefu.ingest.bulk_load import Loaded, TicketState, load
from kefu.ingest.schemas import InboundMessage
from kefu.ingest.service import SUBJECT_WINDOW, subject_from
from kefu.kit.clock import as_utc, utcnow
from kefu.kit.subjects import normalize_subject
from kefu.tickets.messages import message_bodies
from kefu.tickets.schemas import Status

REOPENED_BY_CUSTOMER = (Status.PENDING, Status.ON_HOLD, Status.SOLVED)


@dataclass(frozen=True, slots=True)
class SenderLimit:
    """A sender with `count` or more messages since `since` is taken for a loop: the next
    message is automated, and `mark` says so on it (the email channel's 30 an hour)."""

    count: int
    since: datetime
    mark: Callable[[InboundMessage], InboundMessage]


@dataclass(eq=False, slots=True)
class Planned:
    """A message to store: its customer, its ticket and what it changes there."""

    index: int
    message: InboundMessage
    customer: Person
    ticket: TicketState
    is_new_ticket: bool
    is_automated: bool
    row: dict[str, Any]
    new_people: list[Person] = field(default_factory=list)
    new_ccs: list[Person] = field(default_factory=list)
    status_change: dict[str, list[Any]] | None = None


@dataclass(slots=True)
class Duplicate:
    """A message stored before: in the database (ids known) or earlier in the batch (`of`)."""

    index: int
    of: Planned | None = None
    ticket_id: int | None = None
    message_id: int | None = None
    customer_id: int | None = None


@dataclass(slots=True)
class Plan:
    items: list[Planned | Duplicate]
    stopped_at: int | None  # the first message the plan leaves to `ingest`


def plan(
    session: Session,
    messages: list[InboundMessage],
    *,
    known_new: list[bool],
    sender_limit: SenderLimit | None = None,
) -> Plan:
    """Plan messages in order until one the plan does not cover (see the module docstring)."""
    planner = _Planner(load(session, messages, known_new=known_new, sender_limit=sender_limit))
    items: list[Planned | Duplicate] = []
    for index, message in enumerate(messages):
        item = planner.step(index, message, known_new[index], sender_limit)
        if item is None:
            return Plan(items, index)
        items.append(item)
    return Plan(items, None)


class _Planner:
    def __init__(self, loaded: Loaded) -> None:
        self.db = loaded
        self.new_by_source: dict[str, Planned] = {}
        self.written_since: dict[Person, list[datetime]] = defaultdict(list)
        self.new_tickets = 0

    def step(
        self, index: int, message: InboundMessage, known_new: bool, limit: SenderLimit | None
    ) -> Planned | Duplicate | None:
        sender = message.sender
        if (
            message.sender_agent_id is not None
            or message.tags
            or not sender.email
            or sender.phone
            or sender.chat_visitor
            or sender.store_ref
        ):
            return None
        if not known_new:
            duplicate = self._duplicate(index, message.source_id)
            if duplicate is not None:
                return duplicate
        try:
            email = normalize_email(str(sender.email))
            cc_emails = [normalize_email(str(address)) for address in message.cc_emails]
        except InvalidInput:
            return None
        customer = self.db.people_by_email.get(email)
        if customer is not None and sender.name and not customer.name:
            return None  # `identify` fills the name in: an update the plan does not make
        is_automated = message.is_automated
        if (
            limit is not None
            and customer is not None
            and self._written_since(customer, limit.since) >= limit.count
        ):
            message, is_automated = limit.mark(message), True
        new_people: list[Person] = []
        if customer is None:
            customer = Person(None, (sender.name or "").strip()[:200], email=email)
            new_people.append(customer)
        ccs = [self._person(address, new_people) for address in cc_emails]
        ticket, resolved = self._thread(message, customer)
        if not resolved or (ticket is not None and ticket.status == Status.CLOSED):
            return None  # a follow-up ticket is linked to the closed one: left to `ingest`
        for person in new_people:
            self.db.people_by_email[person.email or ""] = person
        is_new_ticket = ticket is None
        if ticket is None:
            ticket = self._open(message, customer)
        return self._store(
            index, message, customer, ticket, ccs, is_new_ticket, is_automated, new_people
        )

    def _duplicate(self, index: int, source_id: str) -> Duplicate | None:
        earlier = self.new_by_source.get(source_id)
        if earlier is not None:
            return Duplicate(index, of=earlier)
        row = self.db.stored_sources.get(source_id)
        if row is None:
            return None
        ticket = self.db.tickets.get(row.ticket_id)
        customer_id = row.author_customer_id or (ticket.requester.id if ticket else None)
        return Duplicate(index, ticket_id=row.ticket_id, message_id=row.id, customer_id=customer_id)

    def _written_since(self, customer: Person, since: datetime) -> int:
        stored = self.db.written_since.get(customer.id, 0) if customer.id is not None else 0
        return stored + sum(1 for at in self.written_since[customer] if at >= since)

    def _person(self, email: str, new_people: list[Person]) -> Person:
        for person in new_people:
            if person.email == email:
                return person
        found = self.db.people_by_email.get(email)
        if found is None:
            found = Person(None, "", email=email)
            new_people.append(found)
        return found

    def _thread(self, message: InboundMessage, customer: Person) -> tuple[TicketState | None, bool]:
        """`ingest._thread` on the loaded rows and the batch's own; (ticket, resolved), not
        resolved when a subject token names a ticket that may be one of the batch's new."""
        candidates: list[tuple[tuple[int, int], TicketState | None]] = []
        for ref in message.references:
            earlier = self.new_by_source.get(ref)
            if earlier is not None:
                candidates.append(((1, earlier.index), earlier.ticket))
            for row in self.db.referenced.get(ref, ()):
                candidates.append(((0, row.id), self.db.tickets.get(row.ticket_id)))
        for _, referenced in sorted(candidates, key=lambda c: c[0], reverse=True):
            ticket = self._live(referenced)
            if ticket is not None:
                return ticket, True
        if message.ticket_id is not None:
            hinted = self.db.tickets.get(message.ticket_id)
            if hinted is None and self.new_tickets:
                return None, False
            ticket = self._live(hinted)
            if ticket is not None and (customer is ticket.requester or customer in ticket.ccs):
                return ticket, True
        if message.thread_by_subject and message.subject.strip():
            return self._same_subject(message, customer), True
        return None, True

    def _same_subject(self, message: InboundMessage, customer: Person) -> TicketState | None:
        wanted = normalize_subject(message.subject)
        if not wanted:
            return None
        since = (as_utc(message.received_at) if message.received_at else utcnow()) - SUBJECT_WINDOW
        recent = [
            t
            for t in self.db.by_requester.get(customer, ())
            if not t.is_deleted and t.merged_into_id is None and t.updated_at >= since
        ]
        recent.sort(key=TicketState.order, reverse=True)
        for ticket in recent[:50]:
            if ticket.status != Status.CLOSED and normalize_subject(ticket.subject) == wanted:
                return ticket
        return None

    def _live(self, ticket: TicketState | None) -> TicketState | None:
        if ticket is None or ticket.is_deleted:
            return None
        seen = {ticket.id}
        while ticket.merged_into_id is not None and ticket.merged_into_id not in seen:
            seen.add(ticket.merged_into_id)
            ticket = self.db.tickets.get(ticket.merged_into_id)
            if ticket is None or ticket.is_deleted:
                return None
        return ticket

    def _open(self, message: InboundMessage, customer: Person) -> TicketState:
        now = utcnow()
        ticket = TicketState(
            id=None,
            subject=(message.subject.strip() or subject_from(message)).strip()[:500],
            status=Status.NEW,
            channel=message.channel,
            store_id=message.store_id,
            priority=message.priority or "normal",
            requester=customer,
            updated_at=now,
            created_at=now,
            seq=self.new_tickets,
        )
        self.new_tickets += 1
        self.db.by_requester[customer].append(ticket)
        return ticket

    def _store(
        self,
        index: int,
        message: InboundMessage,
        customer: Person,
        ticket: TicketState,
        ccs: list[Person],
        is_new_ticket: bool,
        is_automated: bool,
        new_people: list[Person],
    ) -> Planned:
        text, html = message_bodies(message.body_text, message.body_html)
        created_at = as_utc(message.received_at) if message.received_at else utcnow()
        details = {**message.details, **({"automated": True} if is_automated else {})}
        planned = Planned(
            index,
            message,
            customer,
            ticket,
            is_new_ticket,
            is_automated,
            row={
                "kind": "reply",
                "author_type": "customer",
                "author_agent_id": None,
                "body_text": text,
                "body_html": html,
                "channel": message.channel,
                "source_id": message.source_id,
                "details": details,
                "created_at": created_at,
            },
            new_people=new_people,
        )
        if customer is not ticket.requester and customer not in ticket.ccs:
            ticket.ccs.add(customer)
            planned.new_ccs.append(customer)
        ticket.added += 1
        ticket.last_message_at = created_at
        ticket.updated_at = utcnow()
        if not is_automated and ticket.status in REOPENED_BY_CUSTOMER:
            planned.status_change = {"status": [ticket.status, Status.OPEN]}
            if ticket.solved_at is not None:
                planned.status_change["solved_at"] = [ticket.solved_at, None]
            ticket.status, ticket.solved_at = Status.OPEN, None
            ticket.updated_at = utcnow()
        for cc in ccs:
            if cc is not customer and cc is not ticket.requester and cc not in ticket.ccs:
                ticket.ccs.add(cc)
                planned.new_ccs.append(cc)
        self.written_since[customer].append(created_at)
        self.new_by_source[message.source_id] = planned
        return planned
