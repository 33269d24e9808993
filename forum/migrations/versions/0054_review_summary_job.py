"""the run page's figures counted by a background job (when its worker took the counting), and
reminders to every participant with something left to do sent by one (a round and its recipients)

Revision ID: 0054_review_summary_job
Revises: 0052_kept_counts
"""

import sqlalchemy as sa
from alembic import op

import forum.models.base

revision = "0054_review_summary_job"
down_revision = "0052_kept_counts"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("review_summary") as batch_op:
        batch_op.add_column(
            sa.Column("counting_at", forum.models.base.UTCDateTime(), nullable=True)
        )
    op.create_table(
        "reminder_round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("handled", sa.Integer(), nullable=False),
        sa.Column("reminded", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=40), nullable=True),
        sa.Column("heartbeat_at", forum.models.base.UTCDateTime(), nullable=True),
        sa.Column("created_at", forum.models.base.UTCDateTime(), nullable=False),
        sa.Column("finished_at", forum.models.base.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done')",
            name=op.f("ck_reminder_round_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_reminder_round_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_round")),
    )
    op.create_index(
        op.f("ix_reminder_round_event_id"), "reminder_round", ["event_id"], unique=False
    )
    op.create_table(
        "reminder_recipient",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("handled_at", forum.models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_reminder_recipient_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["reminder_round.id"],
            name=op.f("fk_reminder_recipient_round_id_reminder_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", "participant_id", name=op.f("pk_reminder_recipient")),
    )
    op.create_index(
        op.f("ix_reminder_recipient_participant_id"),
        "reminder_recipient",
        ["participant_id"],
        unique=False,
    )


def downgrade():
    op.drop_index(op.f("ix_reminder_recipient_participant_id"), table_name="reminder_recipient")
    op.drop_table("reminder_recipient")
    op.drop_index(op.f("ix_reminder_round_event_id"), table_name="reminder_round")
    op.drop_table("reminder_round")
    with op.batch_alter_table("review_summary") as batch_op:
        batch_op.drop_column("counting_at")
