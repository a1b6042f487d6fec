"""Work read and worked out before a write transaction, and the check that it still holds.

On SQLite one write lock serves the whole database, and every write transaction takes it at
BEGIN, so whatever a transaction reads and computes holds up every other writer (the mail
fetcher storing the next batch while the worker handles the last one). A batch handler can
therefore do its reading beforehand in a reading session (`Database.reading`, no lock) —
the dispatcher runs its `prepare` — and in its transaction use what was prepared only for
what has not changed since.

"Changed since" is told by the events: every change to a ticket writes an event about it in
the same transaction, and on SQLite events are committed in the order of their ids (one
writer at a time), so an event about a ticket with an id above the snapshot's last event is
exactly a change the prepared reading could not see. (On PostgreSQL ids are handed out before
commit and may commit out of order, so nothing is prepared there: its writers do not queue
on one lock anyway.)"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kefu.events import Event

_EVENTS = Event.__table__


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Where a reading stood: the last event it could see."""

    last_event_id: int


def snapshot(session: Session) -> Snapshot:
    """Read first in the reading session: its later reads see no event above this one."""
    return Snapshot(session.scalar(select(func.max(_EVENTS.c.id))) or 0)


def changed_since(
    session: Session,
    since: Snapshot,
    subject_type: str,
    subject_ids: Iterable[int],
    *,
    payload_keys: tuple[str, ...] = (),
) -> set[int]:
    """Of these subjects, those with an event written after the snapshot (committed by
    others since, or by this transaction): what was prepared for them is stale. With
    `payload_keys`, an event naming a subject under one of these keys in its payload (a
    split names the ticket it took a message from) counts for that subject too."""
    wanted = {str(subject_id) for subject_id in subject_ids}
    if not wanted:
        return set()
    columns = [_EVENTS.c.subject_id] + ([_EVENTS.c.payload] if payload_keys else [])
    rows = session.execute(  # the primary key's range: the few events since the snapshot
        select(*columns).where(
            _EVENTS.c.id > since.last_event_id, _EVENTS.c.subject_type == subject_type
        )
    )
    changed: set[int] = set()
    for row in rows:
        named = [row.subject_id]
        if payload_keys and isinstance(row.payload, dict):
            named += [str(row.payload.get(key)) for key in payload_keys]
        changed.update(int(subject) for subject in named if subject in wanted)
    return changed
