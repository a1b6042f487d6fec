"""ai suggest: the suggested replies shown on tickets and whether they were used

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 00:50:00.000000
"""

import sqlalchemy as sa
from alembic import op

import kefu.db

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.INTEGER(), "sqlite")
TABLE = "ai_suggestions_shown"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("ticket_id", BIG_ID, nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("source_id", BIG_ID, nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("shown_at", kefu.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("inserted_at", kefu.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", kefu.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("similarity", sa.Float(), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"],
            ["tickets.id"],
            name=op.f(f"fk_{TABLE}_ticket_id_tickets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f(f"fk_{TABLE}_agent_id_agents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
    )
    op.create_index(op.f(f"ix_{TABLE}_ticket_id"), TABLE, ["ticket_id", "source", "source_id"])
    op.create_index(op.f(f"ix_{TABLE}_shown_at"), TABLE, ["shown_at", "source"])


def downgrade() -> None:
    op.drop_index(op.f(f"ix_{TABLE}_shown_at"), table_name=TABLE)
    op.drop_index(op.f(f"ix_{TABLE}_ticket_id"), table_name=TABLE)
    op.drop_table(TABLE)
