"""ai assistant: the help-center assistant's conversations and turns

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 21:20:00.000000
"""

import sqlalchemy as sa
from alembic import op

import kefu.db

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.INTEGER(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "assistant_conversations",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("store_id", sa.Integer(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("order_id", BIG_ID, nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("failed_checks", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("ticket_id", BIG_ID, nullable=True),
        sa.Column("handover_reason", sa.String(length=20), nullable=True),
        sa.Column("code_hash", sa.String(length=64), nullable=True),
        sa.Column("code_order_id", BIG_ID, nullable=True),
        sa.Column("code_expires_at", kefu.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("code_attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", kefu.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", kefu.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("handed_over_at", kefu.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["store_id"],
            ["stores.id"],
            name=op.f("fk_assistant_conversations_store_id_stores"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_conversations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_assistant_conversations_token_hash")),
    )
    op.create_index(
        op.f("ix_assistant_conversations_store_id"),
        "assistant_conversations",
        ["store_id", "created_at"],
    )
    op.create_table(
        "assistant_turns",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("conversation_id", BIG_ID, nullable=False),
        sa.Column("author", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=True),
        sa.Column("article_title", sa.String(length=300), nullable=False),
        sa.Column("article_url", sa.String(length=500), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=True),
        sa.Column("created_at", kefu.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["assistant_conversations.id"],
            name=op.f("fk_assistant_turns_conversation_id_assistant_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_turns")),
    )
    op.create_index(
        op.f("ix_assistant_turns_conversation_id"), "assistant_turns", ["conversation_id"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_assistant_turns_conversation_id"), table_name="assistant_turns")
    op.drop_table("assistant_turns")
    op.drop_index(op.f("ix_assistant_conversations_store_id"), table_name="assistant_conversations")
    op.drop_table("assistant_conversations")
