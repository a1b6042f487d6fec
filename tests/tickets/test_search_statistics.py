"""PostgreSQL keeps long word statistics for the search documents, so a rare word is planned
as rare (GIN first) instead of walking the inbox newest first (bench/inbox.py measured 5 s
for an order number at 1M tickets with the default statistics)."""

import pytest
from sqlalchemy import text

from kefu.db import Database


def test_search_documents_keep_statistics_for_rare_words(database: Database) -> None:
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
