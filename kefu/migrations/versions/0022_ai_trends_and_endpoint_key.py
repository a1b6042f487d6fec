"""ai trends: snapshots, topics, cached message vectors; the endpoint's encrypted API key
and timeout

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 01:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql, sqlite

import kefu.db

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
BIG = sa.BigInteger().with_variant(sqlite.INTEGER(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ai_trend_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("computed_at", kefu.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("since", kefu.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("until", kefu.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("clustered", sa.Integer(), nullable=False),
        sa.Column("embedded", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("requested_by", sa.String(length=120), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_trend_snapshots")),
    )
    op.create_index(
        op.f("ix_ai_trend_snapshots_computed_at"), "ai_trend_snapshots", ["computed_at"]
    )
    op.create_table(
        "ai_trend_topics",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("terms", JSON, nullable=False),
        sa.Column("current_count", sa.Integer(), nullable=False),
        sa.Column("previous_count", sa.Integer(), nullable=False),
        sa.Column("change", sa.String(length=10), nullable=False),
        sa.Column("ratio", sa.Float(), nullable=True),
        sa.Column("daily", JSON, nullable=False),
        sa.Column("ticket_ids", JSON, nullable=False),
        sa.Column("examples", JSON, nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"],
            ["ai_trend_snapshots.id"],
            name=op.f("fk_ai_trend_topics_snapshot_id_ai_trend_snapshots"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ai_trend_topics")),
    )
    op.create_index(
        op.f("ix_ai_trend_topics_snapshot_id"),
        "ai_trend_topics",
        ["snapshot_id", "position"],
    )
    op.create_table(
        "ai_message_vectors",
        sa.Column("message_id", BIG, nullable=False),
        sa.Column("created_at", kefu.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name=op.f("fk_ai_message_vectors_message_id_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_ai_message_vectors")),
    )
    op.create_index(op.f("ix_ai_message_vectors_created_at"), "ai_message_vectors", ["created_at"])
    with op.batch_alter_table("ai_settings") as batch:
        batch.add_column(sa.Column("endpoint_key", sa.Text(), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("endpoint_timeout_seconds", sa.Integer(), nullable=False, server_default="30")
        )


def downgrade() -> None:
    with op.batch_alter_table("ai_settings") as batch:
        batch.drop_column("endpoint_timeout_seconds")
        batch.drop_column("endpoint_key")
    op.drop_index(op.f("ix_ai_message_vectors_created_at"), table_name="ai_message_vectors")
    op.drop_table("ai_message_vectors")
    op.drop_index(op.f("ix_ai_trend_topics_snapshot_id"), table_name="ai_trend_topics")
    op.drop_table("ai_trend_topics")
    op.drop_index(op.f("ix_ai_trend_snapshots_computed_at"), table_name="ai_trend_snapshots")
    op.drop_table("ai_trend_snapshots")
