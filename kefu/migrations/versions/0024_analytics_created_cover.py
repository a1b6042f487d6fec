"""analytics: the per-team and per-agent creation indexes also hold channel and is_gone, so
"created" under a team or an agent and a channel is counted from the index alone

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-06 05:30:00
"""

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

OWNERS = ("team_id", "assignee_id")


def upgrade() -> None:
    with op.batch_alter_table("analytics_ticket_metrics", schema=None) as batch_op:
        for owner in OWNERS:
            name = batch_op.f(f"ix_analytics_ticket_metrics_{owner}")
            batch_op.drop_index(name)
            batch_op.create_index(name, [owner, "created_at", "channel", "is_gone"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("analytics_ticket_metrics", schema=None) as batch_op:
        for owner in OWNERS:
            name = batch_op.f(f"ix_analytics_ticket_metrics_{owner}")
            batch_op.drop_index(name)
            batch_op.create_index(name, [owner, "created_at"], unique=False)
