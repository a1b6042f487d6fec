"""How searches are planned at scale (bench/inbox.py measures them at 1M tickets): rare words
are looked up, common words found by reading the inbox newest first."""

import pytest
from sqlalchemy import text

from kefu.db import Database
from kefu.kit.search_text import query_terms
from kefu.tickets import search_index
from kefu.tickets.search import search_tickets
from tests.tickets.read_factories import NOW, add_agent, add_customer, add_ticket


def test_search_documents_keep_statistics_for_rare_words(database: Database) -> None:
    # (with the default 100, a search for an order number walked 1M tickets: 5 s)
    if database.backend != "postgresql":
        pytest.skip("SQLite's FTS5 keeps no planner statistics")
    with database.engine.connect() as connection:
        target = connection.scalar(
            text(
                "SELECT attstattarget FROM pg_attribute WHERE attname = 'document' "
                "AND attrelid = 'ticket_search_documents'::regclass"
            )
        )
    assert target == 10000


@pytest.mark.parametrize("many", [1, 100])
def test_common_and_rare_words_find_the_same_tickets(
    database: Database, monkeypatch: pytest.MonkeyPatch, many: int
) -> None:
    # given four tickets about a refund, one deleted, and one about something else
    monkeypatch.setattr(search_index, "SQLITE_MANY_MATCHES", many)
    with database.unit_of_work() as s:
        agent = add_agent(s, name="Ann Agent")
        emily = add_customer(s, name="Emily Chen", email="emily.chen@example.com")
        refunds = [
            add_ticket(s, requester=emily, messages=[f"refund please ({n})"], updated=n)
            for n in (3, 1, 2)
        ]
        add_ticket(s, requester=emily, messages=["refund"], updated=0.5, deleted_at=NOW)
        add_ticket(s, requester=emily, messages=["where is my parcel"], updated=0.1)

    # when the word counts as common (walk the inbox) or rare (look its tickets up)
    with database.sessions() as s:
        first = search_tickets(s, actor=agent, query="refund", limit=2, now=NOW)
        rest = search_tickets(s, actor=agent, query="refund", cursor=first.next_cursor, now=NOW)
        uses_walk = search_index.has_many_matches(s, query_terms("refund"))

    # then the same tickets come back, newest first, page after page
    found = [row.ticket.id for row in [*first.items, *rest.items]]
    assert found == [refunds[1].id, refunds[2].id, refunds[0].id]
    assert uses_walk is (database.backend == "sqlite" and many == 1)
