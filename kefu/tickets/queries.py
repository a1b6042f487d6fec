"""The inbox's read side: a filter and a sort become one keyset-paginated page of ticket rows,
with everything a row shows loaded in a fixed number of queries (no N+1)."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, func, literal, or_, select, union_all
from sqlalchemy.orm import InstrumentedAttribute, Session

from kefu.accounts.service import agents_by_ids
from kefu.customers.queries import customer_cards
from kefu.errors import InvalidInput
from kefu.kit.actor import Actor
from kefu.kit.clock import as_utc
from kefu.kit.i18n import gettext as _
from kefu.kit.pagination import MAX_PAGE_SIZE, CursorPage, decode_cursor, encode_cursor
from kefu.tickets.filters import PRIORITIES, TicketFilter, filter_clauses
from kefu.tickets.models import Ticket
from kefu.tickets.search_index import TextMatch, has_many_matches
from kefu.tickets.tagging import tags_of

Sort = Literal[
    "updated_desc",
    "updated_asc",
    "created_desc",
    "created_asc",
    "priority_desc",
    "due_asc",
    "sla_due_asc",
]
SORTS: tuple[str, ...] = Sort.__args__  # type: ignore[attr-defined]
SOLVED_DESC = "solved_desc"  # "Recently solved" only: most recently solved first
DELETED_DESC = "deleted_desc"  # "Deleted" only: most recently deleted first
PRIORITY_RANK = {priority: rank for rank, priority in enumerate(PRIORITIES)}  # urgent = 3
# Sidebar counts stop here: counting every open ticket of a big shop on each page view would
# cost a scan, and "10k+" tells an agent as much.
COUNT_CAP = 10_000


@dataclass(frozen=True, slots=True)
class _Order:
    column: InstrumentedAttribute[Any]
    descending: bool
    by_priority: bool = False
    # an index leads with status, then this column: one ordered branch per status
    per_status: bool = True
    nullable: bool = False


ORDERS: dict[str, _Order] = {
    "updated_desc": _Order(Ticket.updated_at, descending=True),
    "updated_asc": _Order(Ticket.updated_at, descending=False),
    "created_desc": _Order(Ticket.created_at, descending=True),
    "created_asc": _Order(Ticket.created_at, descending=False),
    "priority_desc": _Order(Ticket.updated_at, descending=True, by_priority=True),
    "due_asc": _Order(Ticket.due_at, descending=False, per_status=False, nullable=True),
    # "breaches soonest": the soonest SLA due time first (breached ones on top), none last
    "sla_due_asc": _Order(Ticket.sla_due_at, descending=False, per_status=False, nullable=True),
    SOLVED_DESC: _Order(Ticket.solved_at, descending=True, per_status=False),
    DELETED_DESC: _Order(Ticket.deleted_at, descending=True, per_status=False),
}


@dataclass(frozen=True, slots=True)
class TicketRow:
    """One inbox line: the ticket and the names beside it."""

    ticket: Ticket
    requester_name: str
    requester_email: str | None
    assignee_name: str | None
    tags: list[str]


TicketPage = CursorPage[TicketRow]


@dataclass(frozen=True, slots=True)
class _After:
    key: datetime | None
    id: int
    rank: int | None


def _bad_cursor() -> InvalidInput:
    return InvalidInput(_("this page link is no longer valid; start again from the first page"))


def _read_cursor(cursor: str | None, sort: str) -> _After | None:
    if cursor is None:
        return None
    values = decode_cursor(cursor)
    if values is None or values.get("s") != sort:
        raise _bad_cursor()
    try:
        key = values.get("k")
        rank = values.get("p")
        after = _After(
            key=datetime.fromisoformat(key) if key is not None else None,
            id=int(values["i"]),
            rank=int(rank) if rank is not None else None,
        )
    except (KeyError, TypeError, ValueError):
        raise _bad_cursor() from None
    if (after.key is not None and after.key.tzinfo is None) or (
        ORDERS[sort].by_priority and after.rank is None
    ):
        raise _bad_cursor()
    return after


def _after_clause(order: _Order, after: _After) -> ColumnElement[bool]:
    """Rows strictly after the cursor in (key, id) order, with a plain range on the key so an
    index can seek to it."""
    column, key = order.column, after.key
    if key is None:  # only nullable keys, whose NULLs come last
        return and_(column.is_(None), Ticket.id > after.id)
    if order.descending:
        seek = and_(column <= key, or_(column < key, Ticket.id < after.id))
    else:
        seek = and_(column >= key, or_(column > key, Ticket.id > after.id))
    return or_(seek, column.is_(None)) if order.nullable else seek


def _branches(spec: TicketFilter, order: _Order) -> list[tuple[list[ColumnElement[bool]], int]]:
    """One branch per status (when the filter names several and an index leads with status)
    and per priority (priority sort): each is read in index order and the few rows merged,
    instead of sorting every matching ticket."""
    statuses: Sequence[str | None] = (
        spec.statuses if order.per_status and len(spec.statuses) > 1 else [None]
    )
    priorities: Sequence[str | None] = [None]
    if order.by_priority:
        priorities = sorted(spec.priorities or PRIORITIES, key=PRIORITY_RANK.__getitem__)[::-1]
    branches = []
    for priority in priorities:
        for status in statuses:
            extra = []
            if status is not None:
                extra.append(Ticket.status == status)
            if priority is not None:
                extra.append(Ticket.priority == priority)
            branches.append((extra, PRIORITY_RANK[priority] if priority else -1))
    return branches


def _ordering(order: _Order, key: Any, ticket_id: Any) -> list[Any]:
    direction = (lambda c: c.desc()) if order.descending else (lambda c: c.asc())
    first = direction(key).nulls_last() if order.nullable else direction(key)
    return [first, direction(ticket_id)]


def page_ids(
    session: Session,
    *,
    actor: Actor,
    spec: TicketFilter,
    sort: str,
    after: _After | None,
    limit: int,
    now: datetime | None = None,
) -> list[tuple[int, datetime | None, int]]:
    """(id, sort key, priority rank) of up to `limit` tickets after the cursor, in order."""
    order = ORDERS[sort]
    # the branches test status and priority one value each; the lists left in as well would
    # make the planner misjudge the branches' sizes and sort instead of reading in order
    unbranched = spec.model_copy(
        update={
            "statuses": [] if order.per_status and len(spec.statuses) > 1 else spec.statuses,
            "priorities": [] if order.by_priority else spec.priorities,
        }
    )
    clauses = filter_clauses(unbranched, actor=actor, now=now)
    for clause in clauses:
        if isinstance(clause, TextMatch):
            clause.walk = has_many_matches(session, clause.terms)
    if sort == SOLVED_DESC:
        clauses.append(Ticket.solved_at.is_not(None))
    parts: list[Select[Any]] = []
    for extra, rank in _branches(spec, order):
        where = [*clauses, *extra]
        if after is not None:
            if order.by_priority and rank > (after.rank or 0):
                continue  # a higher priority, already paged through
            if not order.by_priority or rank == after.rank:
                where.append(_after_clause(order, after))
        parts.append(
            select(Ticket.id.label("id"), order.column.label("key"), literal(rank).label("rank"))
            .where(*where)
            .order_by(*_ordering(order, order.column, Ticket.id))
            .limit(limit)
        )
    if not parts:
        return []
    if len(parts) == 1:
        return [tuple(row) for row in session.execute(parts[0])]  # type: ignore[misc]
    merged = union_all(*(select(part.subquery()) for part in parts)).subquery("page")
    statement = (
        select(merged.c.id, merged.c.key, merged.c.rank)
        .order_by(
            *([merged.c.rank.desc()] if order.by_priority else []),
            *_ordering(order, merged.c.key, merged.c.id),
        )
        .limit(limit)
    )
    return [tuple(row) for row in session.execute(statement)]  # type: ignore[misc]


def ticket_values_with_tags(
    session: Session, ticket_ids: Sequence[int], columns: Sequence[str]
) -> list[tuple[Any, list[str]]]:
    """`tickets_with_tags` as plain rows of these columns (attributes by column name), for
    readers of many tickets that change none (analytics' per-ticket metrics): no objects
    built. The session is flushed first, as an ORM query would be."""
    if not ticket_ids:
        return []
    session.flush()
    table = Ticket.__table__
    rows = session.execute(
        select(*(table.c[name] for name in ("id", *columns))).where(table.c.id.in_(ticket_ids))
    )
    found = {row.id: row for row in rows}
    tags = tags_of(session, list(found))
    return [(found[i], tags[i]) for i in ticket_ids if i in found]


def ticket_rows(session: Session, ticket_ids: Sequence[int]) -> list[TicketRow]:
    """Rows for these tickets, in the given order: four queries whatever the page size."""
    found = tickets_with_tags(session, ticket_ids)
    cards = customer_cards(session, {t.requester_id for t, _tags in found})
    agents = agents_by_ids(session, {t.assignee_id for t, _tags in found})
    names = {agent_id: agent.name for agent_id, agent in agents.items()}
    rows = []
    for ticket, tags in found:
        card = cards.get(ticket.requester_id)
        rows.append(
            TicketRow(
                ticket=ticket,
                requester_name=card.name if card else "",
                requester_email=card.email if card else None,
                assignee_name=names.get(ticket.assignee_id) if ticket.assignee_id else None,
                tags=tags,
            )
        )
    return rows


def tickets_with_tags(
    session: Session, ticket_ids: Sequence[int]
) -> list[tuple[Ticket, list[str]]]:
    """These tickets (those that exist, in the given order) with their tags: two queries,
    for readers that need no names."""
    if not ticket_ids:
        return []
    tickets = {t.id: t for t in session.scalars(select(Ticket).where(Ticket.id.in_(ticket_ids)))}
    tags = tags_of(session, list(tickets))
    return [(tickets[i], tags[i]) for i in ticket_ids if i in tickets]


def ticket_page(
    session: Session,
    *,
    actor: Actor,
    spec: TicketFilter,
    sort: str,
    cursor: str | None = None,
    limit: int = 50,
    now: datetime | None = None,
) -> TicketPage:
    """A page of the tickets matching `spec` in `sort` order, from the keyset `cursor`: the
    cursor holds the last row's sort key and id, so page 50 costs what page 1 costs and rows
    sharing a key are neither repeated nor skipped."""
    if sort not in ORDERS:
        raise InvalidInput(
            _("unknown sort %(sort)s; use one of %(sorts)s", sort=sort, sorts=", ".join(SORTS))
        )
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    after = _read_cursor(cursor, sort)
    found = page_ids(
        session, actor=actor, spec=spec, sort=sort, after=after, limit=limit + 1, now=now
    )
    has_more = len(found) > limit
    found = found[:limit]
    next_cursor = None
    if has_more and found:
        ticket_id, key, rank = found[-1]
        values: dict[str, Any] = {"s": sort, "i": ticket_id, "k": _iso(key)}
        if ORDERS[sort].by_priority:
            values["p"] = rank
        next_cursor = encode_cursor(values)
    rows = ticket_rows(session, [row[0] for row in found])
    return CursorPage(items=rows, next_cursor=next_cursor)


def _iso(key: datetime | None) -> str | None:
    return as_utc(key).isoformat() if key is not None else None


def capped_count(
    session: Session,
    *,
    actor: Actor,
    spec: TicketFilter,
    cap: int = COUNT_CAP,
    now: datetime | None = None,
) -> int:
    """How many tickets match, counting no further than cap + 1 (shown as "10k+")."""
    clauses = filter_clauses(spec, actor=actor, now=now)
    inner = select(Ticket.id).where(*clauses).limit(cap + 1).subquery()
    return session.scalar(select(func.count()).select_from(inner)) or 0


def open_counts(session: Session, agent_ids: Sequence[int]) -> dict[int, int]:
    """How many unsolved tickets (new, open, pending, on-hold) each agent holds: their load."""
    from kefu.tickets.service import OPEN_STATUSES

    counts = dict.fromkeys(agent_ids, 0)
    if agent_ids:
        rows = session.execute(
            select(Ticket.assignee_id, func.count())
            .where(
                Ticket.assignee_id.in_(list(agent_ids)),
                Ticket.status.in_([s.value for s in OPEN_STATUSES]),
                Ticket.deleted_at.is_(None),
            )
            .group_by(Ticket.assignee_id)
        )
        for agent_id, count in rows:
            counts[agent_id] = count
    return counts
