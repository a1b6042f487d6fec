"""Events of a batch handler written together (`updates_written_together`).

A handler that updates many tickets one after the other (assignment giving a batch of new
tickets to agents, triggers changing the tickets of a batch's events) would flush each
update with its audit entry and insert its event alone. Inside the block, `record_update`
stamps the ticket as always but keeps its `ticket.updated` event (and `stage_event` keeps
any other event the caller does not need the id of at once); the block writes what it kept
when it ends: one flush (each ticket's UPDATE, one insert of all the audit entries) and one
insert of the events, in the order they happened, with their deliveries (`emit_many`). The
same rows as one by one:

- `write_staged(session)` writes them earlier; a caller emitting an event of its own in the
  block calls it first, so that events keep their order;
- a second update of a ticket in the block flushes the first before it changes anything
  (`settle_ticket`, which `update_ticket` calls first), so each update keeps its own audit
  entry; in the block tickets are changed through `update_ticket`, or after
  `write_staged`;
- a caller that needs the ids of the events it caused (the triggers' loop guard) names a
  sink (`events_to`): each event kept while it is named is handed to it once written;
- a caller that rolls back a savepoint drops what it kept since (`staged_mark`,
  `drop_staged_since`); an error leaving the block writes nothing: the caller's
  transaction is rolled back.

The events are written when the block (or `write_staged`) writes them, so their time is
then, not the moment of each update; the handler's batch is short."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from kefu.events import NewEvent, emit_many
from kefu.kit.actor import Actor

KEY = "kefu.tickets.staged_updates"

Sink = Callable[[int], None]


@dataclass
class _Staged:
    events: list[tuple[Actor | None, NewEvent, Sink | None]] = field(default_factory=list)
    unflushed: set[int] = field(default_factory=set)  # tickets updated since the last flush
    sink: Sink | None = None


@contextmanager
def updates_written_together(session: Session) -> Iterator[None]:
    if KEY in session.info:
        yield
        return
    session.info[KEY] = _Staged()
    try:
        yield
        write_staged(session)
    finally:
        session.info.pop(KEY, None)


def stage_event(session: Session, event: NewEvent, actor: Actor | None) -> bool:
    """Keep the event for the block's end; False outside a block (the caller emits it)."""
    staged: _Staged | None = session.info.get(KEY)
    if staged is None:
        return False
    staged.events.append((actor, event, staged.sink))
    return True


def stage_update(
    session: Session, ticket_id: int, payload: dict[str, Any], actor: Actor | None
) -> bool:
    """Keep the `ticket.updated` event for the block's end; False outside a block (the
    caller emits it now)."""
    if not stage_event(session, NewEvent("ticket.updated", "ticket", ticket_id, payload), actor):
        return False
    session.info[KEY].unflushed.add(ticket_id)
    return True


@contextmanager
def events_to(session: Session, sink: Sink) -> Iterator[None]:
    """Events kept inside are handed to `sink` by id once written (outside a block: none)."""
    staged: _Staged | None = session.info.get(KEY)
    if staged is None:
        yield
        return
    outer, staged.sink = staged.sink, sink
    try:
        yield
    finally:
        staged.sink = outer


def staged_mark(session: Session) -> int:
    staged: _Staged | None = session.info.get(KEY)
    return len(staged.events) if staged is not None else 0


def drop_staged_since(session: Session, mark: int) -> None:
    """Forget the events kept since `staged_mark` (their savepoint was rolled back)."""
    staged: _Staged | None = session.info.get(KEY)
    if staged is not None:
        del staged.events[mark:]


def settle_ticket(session: Session, ticket_id: int) -> None:
    """Before a ticket is changed again in the block: its earlier update is flushed, so
    that each update gets its own audit entry (`update_ticket` calls this first)."""
    staged: _Staged | None = session.info.get(KEY)
    if staged is not None and ticket_id in staged.unflushed:
        session.flush()
        staged.unflushed.clear()


def write_staged(session: Session) -> None:
    """Write the kept updates and their events now (in order, a run of one actor's events
    in one insert), then hand each written event's id to its sink."""
    staged: _Staged | None = session.info.get(KEY)
    if staged is None:
        return
    session.flush()
    staged.unflushed.clear()
    events, staged.events = staged.events, []
    start = 0
    for end in range(1, len(events) + 1):
        if end == len(events) or events[end][0] != events[start][0]:
            run = events[start:end]
            ids = emit_many(session, [event for _, event, _ in run], actor=run[0][0])
            for (_, _, sink), event_id in zip(run, ids, strict=True):
                if sink is not None:
                    sink(event_id)
            start = end
