"""chat assistant: a widget's "assistant answers first" setting; an assistant conversation
may belong to a chat (and remembers the last chat entry it answered)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 01:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.INTEGER(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("chat_widgets", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("assistant_first", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("assistant_conversations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chat_id", BIG_ID, nullable=True))
        batch_op.add_column(sa.Column("chat_seq", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_unique_constraint(
            batch_op.f("uq_assistant_conversations_chat_id"), ["chat_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("assistant_conversations", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_assistant_conversations_chat_id"), type_="unique")
        batch_op.drop_column("chat_seq")
        batch_op.drop_column("chat_id")
    with op.batch_alter_table("chat_widgets", schema=None) as batch_op:
        batch_op.drop_column("assistant_first")
