"""outbox: a batch handler's delivery may stand for several events of one bulk emit
(`more_event_ids`, the events after `event_id`), so a bulk ingest writes one delivery per
batch handler instead of one per event and handler

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-06 12:30:00
"""

import json

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("event_deliveries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "more_event_ids",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )


def downgrade() -> None:
    # a delivery standing for several events becomes one delivery per event first
    bind = op.get_bind()
    spans = bind.execute(
        sa.text(
            "SELECT id, handler, status, attempts, next_attempt_at, leased_until, last_error, "
            "done_at, more_event_ids FROM event_deliveries WHERE more_event_ids IS NOT NULL"
        )
    ).all()
    table = sa.table(
        "event_deliveries",
        *(
            sa.column(name)
            for name in (
                "event_id",
                "handler",
                "status",
                "attempts",
                "next_attempt_at",
                "leased_until",
                "last_error",
                "done_at",
            )
        ),
    )
    for span in spans:
        more = span.more_event_ids
        if isinstance(more, str):  # SQLite hands JSON back as text here
            more = json.loads(more)
        if more:
            op.bulk_insert(
                table,
                [
                    {
                        "event_id": event_id,
                        "handler": span.handler,
                        "status": span.status,
                        "attempts": span.attempts,
                        "next_attempt_at": span.next_attempt_at,
                        "leased_until": span.leased_until,
                        "last_error": span.last_error,
                        "done_at": span.done_at,
                    }
                    for event_id in more
                ],
            )
    with op.batch_alter_table("event_deliveries", schema=None) as batch_op:
        batch_op.drop_column("more_event_ids")
