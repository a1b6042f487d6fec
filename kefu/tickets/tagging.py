"""A ticket's tags: read for many tickets at once, and replaced row by row.

Both run without autoflush: a ticket's tag rows are only ever written here, at once, so
reading them needs no flush of the session's other pending changes — which, in a batch
handler, are the batch's staged ticket updates, flushed together at its end
(kefu/tickets/staged.py) and not one ticket at a time by each read.

Inside a `batch_cache` block (kefu/kit/batch_cache.py) a ticket's tags, and a tag's id, are
read once and kept there, `set_tags` keeping them in step: a batch handler's events ask for
them again and again (the triggers' conditions and tag actions, assignment's skills)."""

from collections.abc import Sequence

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from kefu.kit.batch_cache import cache_of
from kefu.kit.tags import normalize_tags
from kefu.tickets.models import Tag, Ticket, TicketTag

_CACHED, _TAG_ID = "ticket.tags", "tag.id"


def tags_of(session: Session, ticket_ids: Sequence[int]) -> dict[int, list[str]]:
    """Each ticket's tag names, in order."""
    cache = cache_of(session)
    known = {} if cache is None else {i: cache.get((_CACHED, i)) for i in ticket_ids}
    result: dict[int, list[str]] = {i: list(known.get(i) or ()) for i in ticket_ids}
    if wanted := [i for i in result if known.get(i) is None]:
        with session.no_autoflush:
            rows = session.execute(
                select(TicketTag.ticket_id, Tag.name)
                .join(Tag, Tag.id == TicketTag.tag_id)
                .where(TicketTag.ticket_id.in_(wanted))
                .order_by(Tag.name)
            ).all()
        for ticket_id, name in rows:
            result[ticket_id].append(name)
        if cache is not None:
            cache.update(((_CACHED, i), tuple(result[i])) for i in wanted)
    return result


def _tag_ids(session: Session, names: list[str]) -> dict[str, int]:
    """The tags' ids, created for names not yet known (in a `batch_cache` block: read once)."""
    cache = cache_of(session)
    found: dict[str, int] = {}
    if cache is not None:
        found = {name: cache[(_TAG_ID, name)] for name in names if (_TAG_ID, name) in cache}
    if wanted := [name for name in names if name not in found]:
        rows = session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(wanted))).all()
        found.update((row[0], row[1]) for row in rows)
    for name in names:
        if name not in found:
            tag = Tag(name=name)
            session.add(tag)
            session.flush()
            found[name] = tag.id
    if cache is not None:
        cache.update(((_TAG_ID, name), tag_id) for name, tag_id in found.items())
    return found


def set_tags(
    session: Session, ticket: Ticket, tags: list[str], *, before: list[str] | None = None
) -> list[list[str]] | None:
    """Replace the ticket's tags (only the rows of those removed and added change; `before`:
    its tags, when the caller just read them); [before, after] when they changed."""
    after = sorted(normalize_tags(tags))
    before = tags_of(session, [ticket.id])[ticket.id] if before is None else before
    if after == before:
        return None
    with session.no_autoflush:  # the tag rows are written here and now
        added = _tag_ids(session, [name for name in after if name not in before])
        if gone := [name for name in before if name not in after]:
            names = select(Tag.id).where(Tag.name.in_(gone))
            session.execute(
                delete(TicketTag).where(
                    TicketTag.ticket_id == ticket.id, TicketTag.tag_id.in_(names)
                )
            )
        if added:
            session.execute(
                insert(TicketTag), [{"ticket_id": ticket.id, "tag_id": i} for i in added.values()]
            )
    if (cache := cache_of(session)) is not None:
        cache[(_CACHED, ticket.id)] = tuple(after)
    return [before, after]
