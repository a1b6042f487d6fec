"""The ticket search index: one document per ticket, rewritten whole from the tickets, messages
and requester (so writing it twice is harmless), rebuilt in batches; and the clause that
matches search terms against it on SQLite (FTS5) or PostgreSQL (tsvector + GIN)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, ColumnElement, delete, func, literal, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler

from kefu.customers.queries import search_texts
from kefu.db import Database
from kefu.kit.actor import Actor
from kefu.kit.search_text import (
    Term,
    fts5_query,
    index_tokens,
    tsquery_literal,
    tsvector_literal,
)
from kefu.prepared_reads import Snapshot, changed_since, snapshot
from kefu.tickets.models import SEARCH_FTS_TABLE, Message, Ticket, TicketSearchDocument

# Keys of an event's payload naming another ticket whose messages it moved (a merge's
# survivor, a split's original): that ticket's document changes too.
MOVED_MESSAGE_KEYS = ("into_id", "from_id")
# A ticket longer than this (hundreds of messages) is indexed on its first 200,000 characters.
MAX_DOCUMENT_CHARS = 200_000
REBUILD_BATCH = 500

_FTS5_FORGET = text(
    "INSERT INTO ticket_search_fts(ticket_search_fts, rowid, document) "
    "VALUES ('delete', :ticket_id, :document)"
)
_FTS5_ADD = text("INSERT INTO ticket_search_fts(rowid, document) VALUES (:ticket_id, :document)")

TextSource = Callable[[Session, list[int]], dict[int, list[str]]]
_text_sources: list[TextSource] = []


def add_text_source(source: TextSource) -> TextSource:
    """Let another domain add searchable text to tickets (order numbers, tracking codes):
    `source(session, ticket_ids) -> {ticket_id: [text, ...]}`. It may be used as a decorator;
    that domain then emits "ticket.updated" (or calls index_tickets) when its text changes."""
    if source not in _text_sources:
        _text_sources.append(source)
    return source


# SQLite keeps no statistics on what FTS5 matches, so it always fetches every match and sorts
# them: 0.2 s for a common word at 1M tickets, where walking the inbox newest first finds a
# page of them at once. Counting the matches up to this many tells the two cases apart.
SQLITE_MANY_MATCHES = 2_000


class TextMatch(ColumnElement[bool]):
    """`ticket_id_column` is a ticket whose document has every term. With `walk` (SQLite, a
    common word) the tickets are tested in the order they are read instead of fetched from
    the matches (PostgreSQL decides that from its statistics)."""

    __visit_name__ = "ticket_text_match"
    inherit_cache = False  # the query text is a literal of each search
    type = Boolean()
    _is_implicitly_boolean = True  # a condition: SQLite must not get "… = 1"

    def __init__(
        self, ticket_id_column: ColumnElement[Any], terms: list[Term], *, walk: bool = False
    ) -> None:
        self.ticket_id_column = ticket_id_column
        self.terms = terms
        self.walk = walk


def has_many_matches(session: Session, terms: list[Term]) -> bool:
    """On SQLite, whether more than SQLITE_MANY_MATCHES documents have every term (a quick
    look: FTS5 stops counting there). Always False on PostgreSQL."""
    if session.get_bind().dialect.name != "sqlite":
        return False
    found = session.scalar(
        text(
            f"SELECT count(*) FROM (SELECT 1 FROM {SEARCH_FTS_TABLE} "  # noqa: S608
            f"WHERE {SEARCH_FTS_TABLE} MATCH :query LIMIT :limit)"
        ),
        {"query": fts5_query(terms), "limit": SQLITE_MANY_MATCHES + 1},
    )
    return (found or 0) > SQLITE_MANY_MATCHES


def text_match(ticket_id_column: ColumnElement[Any], terms: list[Term]) -> ColumnElement[bool]:
    return TextMatch(ticket_id_column, terms)


@compiles(TextMatch, "postgresql")
def _match_postgresql(element: TextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.ticket_id_column, **kw)
    query = compiler.process(literal(tsquery_literal(element.terms)), **kw)  # a bound value
    return (
        f"{column} IN (SELECT ticket_search_documents.ticket_id FROM ticket_search_documents "  # noqa: S608
        f"WHERE ticket_search_documents.document @@ CAST({query} AS tsquery))"
    )


@compiles(TextMatch, "sqlite")
def _match_sqlite(element: TextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.ticket_id_column, **kw)
    query = compiler.process(literal(fts5_query(element.terms)), **kw)  # a bound value
    walk = "+" if element.walk else ""  # "+id": not used to look tickets up, only to test them
    return (
        f"{walk}{column} IN (SELECT rowid FROM {SEARCH_FTS_TABLE} "  # noqa: S608
        f"WHERE {SEARCH_FTS_TABLE} MATCH {query})"
    )


@compiles(TextMatch)
def _match_other(element: TextMatch, compiler: SQLCompiler, **kw: Any) -> str:
    raise NotImplementedError(f"ticket search needs SQLite or PostgreSQL, not {compiler.dialect}")


def document_tokens(session: Session, ticket_ids: Iterable[int]) -> dict[int, list[str]]:
    """The tokens of each ticket's document: subject, requester's name and addresses, every
    reply and note in order, then what other domains add."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return {}
    tickets = session.execute(
        select(Ticket.id, Ticket.subject, Ticket.requester_id).where(Ticket.id.in_(ids))
    ).all()
    customers = search_texts(session, {row.requester_id for row in tickets})
    bodies: dict[int, list[str]] = {}
    for ticket_id, body in session.execute(
        select(Message.ticket_id, Message.body_text)
        .where(Message.ticket_id.in_(ids))
        .order_by(Message.ticket_id, Message.id)
    ):
        bodies.setdefault(ticket_id, []).append(body)
    extras: dict[int, list[str]] = {}
    for source in _text_sources:
        for ticket_id, texts in source(session, ids).items():
            extras.setdefault(ticket_id, []).extend(texts)
    documents = {}
    for ticket_id, subject, requester_id in tickets:
        texts = [subject, *customers.get(requester_id, []), *extras.get(ticket_id, [])]
        budget = MAX_DOCUMENT_CHARS - sum(len(text) for text in texts)
        for body in bodies.get(ticket_id, []):
            if budget <= 0:
                break
            texts.append(body[:budget])
            budget -= len(body)
        documents[ticket_id] = index_tokens(*texts)
    return documents


@dataclass(frozen=True, slots=True)
class PreparedDocuments:
    """Tickets' documents tokenized in a reading session (the search handler's `prepare`),
    with each ticket's requester then and where the reading stood."""

    snapshot: Snapshot
    documents: dict[int, list[str]]
    requesters: dict[int, int]


def _requesters(session: Session, ticket_ids: list[int]) -> dict[int, int]:
    query = select(Ticket.id, Ticket.requester_id).where(Ticket.id.in_(ticket_ids))
    return dict(session.execute(query).all())


def prepare_documents(session: Session, ticket_ids: Iterable[int]) -> PreparedDocuments:
    """`document_tokens` ahead of the transaction that writes them (kefu/prepared_reads.py)."""
    ids = sorted(set(ticket_ids))
    since = snapshot(session)
    return PreparedDocuments(since, document_tokens(session, ids), _requesters(session, ids))


def current_documents(
    session: Session, ticket_ids: Iterable[int], prepared: PreparedDocuments | None = None
) -> dict[int, list[str]]:
    """`document_tokens` now, taking from `prepared` each document that still holds: the
    same requester, and no event about the ticket or its requester since the reading (a
    change to anything a document holds writes one: a message, the subject, the customer's
    name or addresses, another domain's text; a merge or split names the ticket it moved
    messages from or into)."""
    ids = sorted(set(ticket_ids))
    if prepared is None:
        return document_tokens(session, ids)
    requesters = _requesters(session, ids)
    stale = changed_since(
        session, prepared.snapshot, "ticket", ids, payload_keys=MOVED_MESSAGE_KEYS
    )
    customers = changed_since(session, prepared.snapshot, "customer", set(requesters.values()))
    kept = {
        ticket_id: prepared.documents[ticket_id]
        for ticket_id, requester_id in requesters.items()
        if ticket_id not in stale
        and ticket_id in prepared.documents
        and prepared.requesters.get(ticket_id) == requester_id
        and requester_id not in customers
    }
    rest = [ticket_id for ticket_id in ids if ticket_id not in kept]
    if rest:
        kept.update(document_tokens(session, rest))
    return kept


def index_tickets(
    session: Session, ticket_ids: Iterable[int], prepared: PreparedDocuments | None = None
) -> int:
    """Rewrite the documents of these tickets from their current state; returns how many.
    `prepared`: documents tokenized before the transaction, used where they still hold."""
    ids = set(ticket_ids)
    documents = current_documents(session, ids, prepared)
    gone = ids - documents.keys()
    if gone:  # on SQLite a trigger takes them out of FTS5 too
        session.execute(
            delete(TicketSearchDocument).where(TicketSearchDocument.ticket_id.in_(gone))
        )
    if not documents:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        rows = [{"ticket_id": i, "document": tsvector_literal(t)} for i, t in documents.items()]
        _upsert(session, postgresql.insert(TicketSearchDocument.__table__), rows)
        return len(rows)
    rows = [{"ticket_id": i, "document": " ".join(t)} for i, t in documents.items()]
    _write_fts5(session, rows)
    return len(rows)


def _upsert(session: Session, statement: Any, rows: list[dict[str, Any]]) -> None:
    statement = statement.on_conflict_do_update(
        index_elements=["ticket_id"], set_={"document": statement.excluded.document}
    )
    session.execute(statement, rows)


def _write_fts5(session: Session, rows: list[dict[str, Any]]) -> None:
    """Content rows and FTS5 entries written here, not by insert/update triggers: FTS5 fed
    row by row from a trigger costs ~10 ms a row, from one executemany some microseconds.
    An external-content FTS5 table forgets a row only when told its old text."""
    old = session.execute(
        select(TicketSearchDocument.ticket_id, TicketSearchDocument.document).where(
            TicketSearchDocument.ticket_id.in_([row["ticket_id"] for row in rows])
        )
    ).all()
    if old:
        session.execute(
            _FTS5_FORGET,
            [{"ticket_id": ticket_id, "document": document} for ticket_id, document in old],
        )
    _upsert(session, sqlite.insert(TicketSearchDocument.__table__), rows)
    session.execute(
        _FTS5_ADD,
        rows,
    )


def rebuild_index(
    database: Database,
    *,
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = REBUILD_BATCH,
) -> int:
    """(Re)index every ticket, `batch_size` per transaction, in id order; safe while kefu
    runs (each batch replaces documents in place, search keeps answering). `progress(done,
    total)` is called after each batch. Returns the number of tickets indexed."""
    with database.sessions() as session:
        total = session.scalar(select(func.count()).select_from(Ticket)) or 0
    done = last_id = 0
    while True:
        with database.unit_of_work(actor=Actor.job("tickets.search_reindex")) as session:
            ids = list(
                session.scalars(
                    select(Ticket.id)
                    .where(Ticket.id > last_id)
                    .order_by(Ticket.id)
                    .limit(batch_size)
                )
            )
            if not ids:
                break
            done += index_tickets(session, ids)
        last_id = ids[-1]
        if progress is not None:
            progress(done, max(total, done))
    return done
