"""ticket search: documents, FTS5 (SQLite) or GIN tsvector (PostgreSQL); inbox sort indexes

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 12:00:00.000000

Existing tickets are not indexed here: run `kefu search reindex` once after upgrading a
database that already has tickets (new ones are indexed by the outbox handlers).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The tokens are made by kefu.kit.search_text and stored space-separated: FTS5 must only split
# on spaces, keep case and accents as given, and keep the characters of whole e-mails.
FTS5_TOKENIZER = "unicode61 remove_diacritics 0 categories 'L* N* Co M*' tokenchars '@.+-_%'"

# kefu.tickets.search_index writes FTS5 entries itself (far faster than insert and update
# triggers); this trigger only covers rows that go with their ticket (ON DELETE CASCADE).
SQLITE_TRIGGERS = (
    """CREATE TRIGGER ticket_search_fts_ad AFTER DELETE ON ticket_search_documents BEGIN
        INSERT INTO ticket_search_fts(ticket_search_fts, rowid, document)
        VALUES ('delete', old.ticket_id, old.document);
    END""",
)


def upgrade() -> None:
    is_sqlite = op.get_bind().dialect.name == "sqlite"
    op.create_table(
        "ticket_search_documents",
        sa.Column(
            "ticket_id",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column(
            "document",
            sa.Text().with_variant(postgresql.TSVECTOR(), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f("fk_ticket_search_documents_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ticket_id", name=op.f("pk_ticket_search_documents")),
    )
    if is_sqlite:
        op.execute(
            "CREATE VIRTUAL TABLE ticket_search_fts USING fts5(document, "
            "content='ticket_search_documents', content_rowid='ticket_id', "
            f'tokenize="{FTS5_TOKENIZER}")'
        )
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)
    else:
        op.create_index(
            "ix_ticket_search_documents_document",
            "ticket_search_documents",
            ["document"],
            postgresql_using="gin",
        )
        # The planner guesses a word's matches from the most common words ANALYZE kept. With
        # the default list (100) any rare word looks like 0.5% of the tickets, so a search for
        # an order number or an e-mail walked the whole inbox newest first looking for it
        # (5 s at 1M tickets). A longer list makes rare words look rare (0.1 ms); common words
        # still take the newest-first walk that stops after one page.
        op.execute("ALTER TABLE ticket_search_documents ALTER COLUMN document SET STATISTICS 10000")
    op.create_index(
        "ix_tickets_status_created_at", "tickets", ["status", "created_at", "id"], unique=False
    )
    op.create_index("ix_tickets_solved_at", "tickets", ["solved_at", "id"], unique=False)
    op.create_index("ix_tickets_due_at", "tickets", ["due_at", "id"], unique=False)
    op.create_index(
        "ix_tickets_unassigned",
        "tickets",
        ["status", "updated_at", "id"],
        unique=False,
        postgresql_where=sa.text("assignee_id IS NULL"),
        sqlite_where=sa.text("assignee_id IS NULL"),
    )
    op.create_index(
        "ix_tickets_deleted_at",
        "tickets",
        ["deleted_at", "id"],
        unique=False,
        postgresql_where=sa.text("deleted_at IS NOT NULL"),
        sqlite_where=sa.text("deleted_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_deleted_at", table_name="tickets")
    op.drop_index("ix_tickets_unassigned", table_name="tickets")
    op.drop_index("ix_tickets_due_at", table_name="tickets")
    op.drop_index("ix_tickets_solved_at", table_name="tickets")
    op.drop_index("ix_tickets_status_created_at", table_name="tickets")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS ticket_search_fts_ad")
        op.execute("DROP TABLE IF EXISTS ticket_search_fts")
    op.drop_table("ticket_search_documents")
