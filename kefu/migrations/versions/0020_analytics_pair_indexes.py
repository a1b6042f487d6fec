"""analytics: per-team and per-agent indexes on the first-reply and solve moments; the
open tickets' index also holds the columns the backlog is filtered by

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-05 21:25:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_analytics_ticket_metrics_team_first_reply", ["team_id", "first_reply_at"]),
    ("ix_analytics_ticket_metrics_team_solved", ["team_id", "solved_at"]),
    ("ix_analytics_ticket_metrics_agent_first_reply", ["assignee_id", "first_reply_at"]),
    ("ix_analytics_ticket_metrics_agent_solved", ["assignee_id", "solved_at"]),
)


OPEN = "ix_analytics_ticket_metrics_open"
OPEN_WHERE = {"postgresql_where": sa.text("is_open"), "sqlite_where": sa.text("is_open = 1")}
BACKLOG_COLUMNS = ["created_at", "is_gone", "team_id", "assignee_id", "channel", "store_id"]


def upgrade() -> None:
    with op.batch_alter_table("analytics_ticket_metrics", schema=None) as batch_op:
        for name, columns in INDEXES:
            batch_op.create_index(name, columns, unique=False)
        batch_op.drop_index(OPEN, **OPEN_WHERE)
        batch_op.create_index(OPEN, BACKLOG_COLUMNS, unique=False, **OPEN_WHERE)


def downgrade() -> None:
    with op.batch_alter_table("analytics_ticket_metrics", schema=None) as batch_op:
        batch_op.drop_index(OPEN, **OPEN_WHERE)
        batch_op.create_index(OPEN, ["created_at"], unique=False, **OPEN_WHERE)
        for name, _columns in reversed(INDEXES):
            batch_op.drop_index(name)
