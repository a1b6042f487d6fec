"""The transactional outbox: events written with the change, and the handler registry.

`emit()` adds an event row and one delivery row per registered handler to the caller's
session, so the event exists exactly when the change commits. `emit_many()` (bulk ingest)
writes one delivery per batch handler for all the events of the call it wants (a *span*:
`event_id` the first, `more_event_ids` the rest), and one per event for the others. The
dispatcher (`kefu.dispatch`) runs each delivery after commit, in its own transaction; a
span whose handler fails is split into one delivery per event, so retries, parking and the
failed list are always about one event.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, Session, mapped_column

from kefu.db import Base, BigId, JsonDoc, UtcDateTime
from kefu.kit.actor import Actor
from kefu.kit.bulk_rows import insert_rows
from kefu.kit.clock import utcnow

EMITTED_KEY = "kefu.emitted_event_ids"


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    type: Mapped[str] = mapped_column(String(100), index=True)
    subject_type: Mapped[str] = mapped_column(String(50))
    subject_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDoc, default=dict)
    actor: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    __table_args__ = (Index(None, "subject_type", "subject_id"),)


# a list of event ids; None is SQL NULL (a delivery of one event), not JSON null
_EVENT_IDS = JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


class EventDelivery(Base):
    """One handler's progress on one event (or, for a batch handler, on the events of one
    `emit_many` call: `event_id` and `more_event_ids`, in order): pending until done, or
    failed after max attempts. Only a pending delivery never tried spans events."""

    __tablename__ = "event_deliveries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    handler: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    leased_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    more_event_ids: Mapped[list[int] | None] = mapped_column(_EVENT_IDS)

    __table_args__ = (
        UniqueConstraint("event_id", "handler"),
        Index(None, "status", "next_attempt_at"),
    )


Handler = Callable[[Session, Event], None]
BatchHandler = Callable[[Session, list[Event]], None]
# (event type, payload) -> whether the handler wants the event; pure, never the database
EventFilter = Callable[[str, dict[str, Any]], bool]
# (a reading session, the events) -> what the batch handler can use as `prepared`
Preparer = Callable[[Session, list[Event]], Any]


@dataclass(frozen=True, slots=True)
class HandlerSpec:
    """A registered handler; with `batch` its fn takes the list of events due together
    (`fn(session, events)`), e.g. to index each touched ticket once for many events. `when`
    filters at emit time: an event it refuses gets no delivery for this handler at all.
    `prepare` (batch handlers): see `handles`."""

    name: str
    event_types: tuple[str, ...]
    fn: Any  # Handler, or BatchHandler when batch
    max_attempts: int
    batch: bool = False
    when: EventFilter | None = None
    prepare: Preparer | None = None

    def wants(self, event_type: str, payload: dict[str, Any]) -> bool:
        return self.when is None or self.when(event_type, payload)


class HandlerRegistry:
    """Handlers by name; domains register theirs with `@handles(...)` in their jobs module."""

    def __init__(self) -> None:
        self._by_name: dict[str, HandlerSpec] = {}
        self._by_type: dict[str, list[HandlerSpec]] = {}  # asked at every emit

    def register(self, spec: HandlerSpec) -> None:
        existing = self._by_name.get(spec.name)
        if existing is not None and existing.fn is not spec.fn:
            raise ValueError(f"two event handlers are named {spec.name!r}")
        self._by_name[spec.name] = spec
        self._by_type.clear()

    def get(self, name: str) -> HandlerSpec | None:
        return self._by_name.get(name)

    def names(self) -> list[str]:
        return list(self._by_name)

    def replace(self, spec: HandlerSpec) -> None:
        """Put another spec under a registered name (a benchmark's timer around a handler)."""
        if spec.name not in self._by_name:
            raise KeyError(spec.name)
        self._by_name[spec.name] = spec
        self._by_type.clear()

    def for_type(self, event_type: str) -> list[HandlerSpec]:
        found = self._by_type.get(event_type)
        if found is None:
            found = self._by_type[event_type] = [
                spec
                for spec in self._by_name.values()
                if event_type in spec.event_types or "*" in spec.event_types
            ]
        return list(found)


registry = HandlerRegistry()

SubjectLocker = Callable[[Session, list[int]], None]
_subject_lockers: dict[str, SubjectLocker] = {}


def locks_subjects(subject_type: str) -> Callable[[SubjectLocker], SubjectLocker]:
    """Register how the rows of a subject type are locked for a dispatch batch: all the
    batch's subjects of that type, in id order, before its first handler runs
    (`lock_subjects`). On PostgreSQL a batch's handlers each lock the tickets they change
    in id order, but one after the other, so the transaction as a whole did not, and an
    import updating the same tickets in id order could deadlock with it."""

    def decorate(fn: SubjectLocker) -> SubjectLocker:
        _subject_lockers[subject_type] = fn
        return fn

    return decorate


def lock_subjects(session: Session, events: Iterable[Event]) -> None:
    """Lock the events' subjects whose type has a registered locker (`locks_subjects`)."""
    wanted: dict[str, set[int]] = {}
    for event in events:
        if event.subject_type in _subject_lockers and event.subject_id.isdigit():
            wanted.setdefault(event.subject_type, set()).add(int(event.subject_id))
    for subject_type in sorted(wanted):
        _subject_lockers[subject_type](session, sorted(wanted[subject_type]))


def handles(
    *event_types: str,
    name: str | None = None,
    max_attempts: int = 8,
    batch: bool = False,
    when: EventFilter | None = None,
    prepare: Preparer | None = None,
) -> Any:
    """Register a handler `fn(session, event)`; it must be idempotent (it may run again).
    With `batch=True` it is `fn(session, events)` and gets every due event of its types that
    one dispatch batch holds (in event order; one event alone when a batch run failed); a
    bulk `emit_many` writes it a single delivery for all the events of the call it wants.
    `when(event_type, payload)` is asked as the event is written: a handler that would ignore
    most events of its types (an agent's reply, a status that became solved) says so there,
    and those events cost it no delivery row, lease or savepoint. It must read only its
    arguments: the event's payload is all it can know then.

    `prepare(session, events)` (a batch handler on SQLite): run by the dispatcher before the
    batch's write transaction, in a reading session (`Database.reading`), so that reading
    and working out happen while others write; the handler then gets its result as
    `fn(session, events, prepared=...)` (None where nothing was prepared) and must check in
    its own transaction that what it uses is still current: see kefu/prepared_reads.py."""

    def decorate(fn: Any) -> Any:
        handler_name = name or f"{fn.__module__}.{fn.__qualname__}"
        spec = HandlerSpec(handler_name, event_types, fn, max_attempts, batch, when, prepare)
        registry.register(spec)
        return fn

    return decorate


def emit(
    session: Session,
    event_type: str,
    *,
    subject_type: str,
    subject_id: object,
    payload: dict[str, Any] | None = None,
    actor: Actor | None = None,
) -> Event:
    """Write an event (and its pending deliveries) into the caller's transaction.

    What the caller changed before is flushed first, as the event follows it; the event row
    itself is one INSERT … RETURNING outside the unit of work (a flush of it alone cost more
    than the insert), and the returned Event is a plain object holding what was written."""
    who = actor or session.info.get("actor") or Actor.system()
    now = utcnow()
    row = {
        "type": event_type,
        "subject_type": subject_type,
        "subject_id": str(subject_id),
        "payload": payload or {},
        "actor": who.ref,
        "created_at": now,
    }
    session.flush()
    event_id = session.execute(_INSERT_EVENT, row).scalar_one()
    deliveries = [
        {"event_id": event_id, "handler": spec.name, "next_attempt_at": now}
        for spec in registry.for_type(event_type)
        if spec.wants(event_type, row["payload"])
    ]
    # one statement, outside the unit of work: nothing reads them back here
    insert_rows(session, EventDelivery.__table__, deliveries)
    session.info.setdefault(EMITTED_KEY, []).append(event_id)
    return Event(id=event_id, **row)


_INSERT_EVENT = insert(Event.__table__).returning(Event.__table__.c.id)


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event for `emit_many`, as `emit` takes it."""

    type: str
    subject_type: str
    subject_id: object
    payload: dict[str, Any]


def emit_many(session: Session, events: list[NewEvent], *, actor: Actor | None = None) -> list[int]:
    """`emit` for many events at once (bulk ingest): multi-row inserts (kefu.kit.bulk_rows)
    for the events, in order, and for their deliveries: one per batch handler standing for
    every event of the call it wants (in order), one per event and handler for the others."""
    if not events:
        return []
    who = actor or session.info.get("actor") or Actor.system()
    now = utcnow()
    table = Event.__table__
    rows = [
        {
            "type": item.type,
            "subject_type": item.subject_type,
            "subject_id": str(item.subject_id),
            "payload": item.payload or {},
            "actor": who.ref,
            "created_at": now,
        }
        for item in events
    ]
    ids = insert_rows(session, table, rows, return_ids=True)
    handlers: dict[str, list[HandlerSpec]] = {}
    deliveries: list[dict[str, Any]] = []
    spans: dict[str, dict[str, Any]] = {}  # batch handler -> its delivery in `deliveries`
    for event_id, item, row in zip(ids, events, rows, strict=True):
        if item.type not in handlers:
            handlers[item.type] = registry.for_type(item.type)
        for spec in handlers[item.type]:
            if not spec.wants(item.type, row["payload"]):
                continue
            span = spans.get(spec.name) if spec.batch else None
            if span is not None:
                span["more_event_ids"].append(event_id)
                continue
            delivery = {"event_id": event_id, "handler": spec.name, "next_attempt_at": now}
            if spec.batch:
                delivery["more_event_ids"] = []
                spans[spec.name] = delivery
            deliveries.append(delivery)
    for span in spans.values():
        span["more_event_ids"] = span["more_event_ids"] or None
    insert_rows(session, EventDelivery.__table__, _uniform(deliveries))
    session.info.setdefault(EMITTED_KEY, []).extend(ids)
    return ids


def emitted_about(
    session: Session, subject_type: str, types: Iterable[str], *, after: int
) -> set[int]:
    """The subjects of this transaction's events of these types with ids above `after` (a
    batch's last event): their deliveries are pending beside them, so a handler of these
    types meets each such subject again and may leave it until then. A savepoint rolled
    back took its events with it: they are read from the table, not from the list."""
    ids = [event_id for event_id in session.info.get(EMITTED_KEY, ()) if event_id > after]
    if not ids:
        return set()
    table = Event.__table__
    subjects = session.scalars(
        select(table.c.subject_id).where(
            table.c.id.in_(ids), table.c.subject_type == subject_type, table.c.type.in_(types)
        )
    )
    return {int(subject) for subject in subjects if subject.isdigit()}


def _uniform(deliveries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same keys in every row, so the insert stays one executemany."""
    if any("more_event_ids" in row for row in deliveries):
        for row in deliveries:
            row.setdefault("more_event_ids", None)
    return deliveries
