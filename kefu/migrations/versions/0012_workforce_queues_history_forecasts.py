"""workforce: queues, volume history, forecast runs and intervals, events, overrides

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 17:50:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import kefu.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UTC_TIME = kefu.db.UtcDateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.INTEGER(), "sqlite")
JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    op.create_table(
        "workforce_queues",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("store_id", sa.Integer(), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("country", sa.String(length=8), nullable=True),
        sa.Column("interval_minutes", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("service_level_target", sa.Float(), nullable=False),
        sa.Column("answer_within_seconds", sa.Integer(), nullable=False),
        sa.Column("asa_target_seconds", sa.Integer(), nullable=True),
        sa.Column("max_occupancy", sa.Float(), nullable=False),
        sa.Column("shrinkage", sa.Float(), nullable=False),
        sa.Column("patience_seconds", sa.Integer(), nullable=True),
        sa.Column("concurrency", sa.Integer(), nullable=False),
        sa.Column("async_within_hours", sa.Integer(), nullable=True),
        sa.Column("aht_seconds", sa.Integer(), nullable=True),
        sa.Column("holiday_multiplier", sa.Float(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.Column("updated_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_workforce_queues_team_id_teams"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workforce_queues")),
        sa.UniqueConstraint("name", name=op.f("uq_workforce_queues_name")),
    )
    op.create_table(
        "workforce_history",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("start_at", UTC_TIME, nullable=False),
        sa.Column("contacts", sa.Integer(), nullable=False),
        sa.Column("aht_seconds", sa.Float(), nullable=True),
        sa.Column("imported_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["workforce_queues.id"],
            name=op.f("fk_workforce_history_queue_id_workforce_queues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workforce_history")),
        sa.UniqueConstraint(
            "queue_id", "start_at", name=op.f("uq_workforce_history_queue_id_start_at")
        ),
    )
    op.create_table(
        "workforce_forecast_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=40), nullable=False),
        sa.Column("wape", sa.Float(), nullable=True),
        sa.Column("backtest", JSON_DOC, nullable=False),
        sa.Column("history_from_at", UTC_TIME, nullable=False),
        sa.Column("history_to_at", UTC_TIME, nullable=False),
        sa.Column("starts_at", UTC_TIME, nullable=False),
        sa.Column("ends_at", UTC_TIME, nullable=False),
        sa.Column("measured_aht_seconds", sa.Float(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["workforce_queues.id"],
            name=op.f("fk_workforce_forecast_runs_queue_id_workforce_queues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workforce_forecast_runs")),
    )
    with op.batch_alter_table("workforce_forecast_runs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_workforce_forecast_runs_queue_id_id", ["queue_id", "id"], unique=False
        )
    op.create_table(
        "workforce_forecast_intervals",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("start_at", UTC_TIME, nullable=False),
        sa.Column("volume", sa.Float(), nullable=False),
        sa.Column("low", sa.Float(), nullable=False),
        sa.Column("high", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["workforce_forecast_runs.id"],
            name=op.f("fk_workforce_forecast_intervals_run_id_workforce_forecast_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workforce_forecast_intervals")),
        sa.UniqueConstraint(
            "run_id", "start_at", name=op.f("uq_workforce_forecast_intervals_run_id_start_at")
        ),
    )
    op.create_table(
        "workforce_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("starts_at", UTC_TIME, nullable=False),
        sa.Column("ends_at", UTC_TIME, nullable=False),
        sa.Column("multiplier", sa.Float(), nullable=False),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["workforce_queues.id"],
            name=op.f("fk_workforce_events_queue_id_workforce_queues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workforce_events")),
    )
    with op.batch_alter_table("workforce_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_workforce_events_queue_id"), ["queue_id"], unique=False
        )
    op.create_table(
        "workforce_overrides",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("queue_id", sa.Integer(), nullable=False),
        sa.Column("start_at", UTC_TIME, nullable=False),
        sa.Column("volume", sa.Float(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTC_TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["agent_id"],
            ["agents.id"],
            name=op.f("fk_workforce_overrides_agent_id_agents"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["queue_id"],
            ["workforce_queues.id"],
            name=op.f("fk_workforce_overrides_queue_id_workforce_queues"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workforce_overrides")),
        sa.UniqueConstraint(
            "queue_id", "start_at", name=op.f("uq_workforce_overrides_queue_id_start_at")
        ),
    )


def downgrade() -> None:
    op.drop_table("workforce_overrides")
    with op.batch_alter_table("workforce_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_workforce_events_queue_id"))
    op.drop_table("workforce_events")
    op.drop_table("workforce_forecast_intervals")
    with op.batch_alter_table("workforce_forecast_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_workforce_forecast_runs_queue_id_id")
    op.drop_table("workforce_forecast_runs")
    op.drop_table("workforce_history")
    op.drop_table("workforce_queues")
