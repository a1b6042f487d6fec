"""Bulk ingest, the reads: everything a batch's plan looks up, in one query per kind —
senders and CCs, stored copies of its source ids, the messages it references, their
tickets and the senders' recent ones, those tickets' CCs, the senders' recent counts."""

from __future__ import annotations

from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from kefu.customers import bulk as customers
from kefu.customers.bulk import Person
from kefu.customers.identities import normalize_email
from kefu.errors import InvalidInput
from kefu.ingest.schemas import InboundMessage
from kefu.ingest.service import SUBJECT_WINDOW
from kefu.kit.clock import as_utc, utcnow
from kefu.tickets import ingest_rows as tickets

if TYPE_CHECKING:
    from kefu.ingest.bulk import SenderLimit


@dataclass(eq=False, slots=True)
class TicketState:
    """A ticket as the plan sees it: stored (`id`) or new in this batch (`seq`)."""

    id: int | None
    subject: str
    status: str
    channel: str
    store_id: int | None
    requester: Person
    updated_at: datetime
    created_at: datetime | None = None
    assignee_id: int | None = None
    team_id: int | None = None
    priority: str = "normal"
    solved_at: datetime | None = None
    merged_into_id: int | None = None
    is_deleted: bool = False
    ccs: set[Person] = field(default_factory=set)
    seq: int = -1
    added: int = 0
    last_message_at: datetime | None = None

    def order(self) -> tuple[datetime, tuple[int, int]]:
        """`recent_tickets_of`'s order (updated_at, id): a new ticket's id is the highest."""
        return self.updated_at, ((0, self.id) if self.id is not None else (1, self.seq))


@dataclass(slots=True)
class Loaded:
    people_by_email: dict[str, Person]
    tickets: dict[int, TicketState]
    by_requester: defaultdict[Person, list[TicketState]]
    stored_sources: dict[str, Any]  # source id -> its stored message (id, ticket_id, ...)
    referenced: dict[str, list[Any]]  # referenced source id -> stored messages
    written_since: dict[int, int]  # customer id -> messages since the sender limit's start


def _emails(messages: list[InboundMessage]) -> set[str]:
    found = set()
    for message in messages:
        for address in [message.sender.email, *message.cc_emails]:
            if address:
                # an address that does not normalize stops the plan there; `ingest` reports it
                with suppress(InvalidInput):
                    found.add(normalize_email(str(address)))
    return found


def load(
    session: Session,
    messages: list[InboundMessage],
    *,
    known_new: list[bool],
    sender_limit: SenderLimit | None,
) -> Loaded:
    people_by_email = customers.by_emails(session, _emails(messages))
    people: dict[int, Person] = {}
    for email, person in list(people_by_email.items()):
        people_by_email[email] = people.setdefault(person.id or 0, person)
    channel = messages[0].channel if messages else "email"
    maybe_stored = [m.source_id for m, new in zip(messages, known_new, strict=True) if not new]
    stored_sources = {
        row.source_id: row for row in tickets.messages_by_source(session, channel, maybe_stored)
    }
    referenced: dict[str, list[Any]] = defaultdict(list)
    refs = {ref for m in messages for ref in m.references}
    for row in tickets.messages_by_source(session, channel, refs):
        referenced[row.source_id].append(row)
    wanted = {row.ticket_id for rows in referenced.values() for row in rows}
    wanted |= {row.ticket_id for row in stored_sources.values()}
    wanted |= {m.ticket_id for m in messages if m.ticket_id is not None}
    rows = tickets.tickets_by_ids(session, wanted)
    times = [as_utc(m.received_at) if m.received_at else utcnow() for m in messages]
    if people and times:
        rows += tickets.recent_tickets_of_many(
            session, list(people), since=min(times) - SUBJECT_WINDOW
        )
    states: dict[int, TicketState] = {}
    while rows:
        for row in rows:
            states.setdefault(row.id, _state(row, people))
        merged = {s.merged_into_id for s in states.values() if s.merged_into_id is not None}
        rows = tickets.tickets_by_ids(session, merged - set(states))
    by_requester: defaultdict[Person, list[TicketState]] = defaultdict(list)
    for state in states.values():
        by_requester[state.requester].append(state)
    for ticket_id, cc_ids in tickets.ccs_of_many(session, list(states)).items():
        states[ticket_id].ccs = {_person(people, cid) for cid in cc_ids}
    written: dict[int, int] = {}
    if sender_limit is not None and people:
        written = tickets.messages_from_since_many(session, list(people), since=sender_limit.since)
    return Loaded(people_by_email, states, by_requester, stored_sources, referenced, written)


def _person(people: dict[int, Person], customer_id: int) -> Person:
    """The one Person of a customer id (someone on a loaded ticket, not in the batch)."""
    found = people.get(customer_id)
    if found is None:
        found = people[customer_id] = Person(customer_id, "")
    return found


def _state(row: Any, people: dict[int, Person]) -> TicketState:
    return TicketState(
        id=row.id,
        subject=row.subject,
        status=row.status,
        channel=row.channel,
        store_id=row.store_id,
        requester=_person(people, row.requester_id),
        updated_at=as_utc(row.updated_at),
        assignee_id=row.assignee_id,
        team_id=row.team_id,
        priority=row.priority,
        solved_at=row.solved_at,
        merged_into_id=row.merged_into_id,
        is_deleted=row.deleted_at is not None,
    )
