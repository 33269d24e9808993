"""follow-ups after the event: the organizers' plan, one claimed e-mail per participant and
step, and each participant's feedback

Revision ID: 0022_followups
Revises: 0021_conversations
"""

import sqlalchemy as sa
from alembic import op

import forum.models.base

revision = "0022_followups"
down_revision = "0021_conversations"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "follow_up_plan",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("at_end", sa.Boolean(), nullable=False),
        sa.Column("after_week", sa.Boolean(), nullable=False),
        sa.Column("after_quarter", sa.Boolean(), nullable=False),
        sa.Column("after_half_year", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_follow_up_plan_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_follow_up_plan")),
    )
    op.create_table(
        "follow_up_answer",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("would_return", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("answered_at", forum.models.base.UTCDateTime(), nullable=False),
        sa.Column("updated_at", forum.models.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "length(comment) <= 2000", name=op.f("ck_follow_up_answer_comment_not_too_long")
        ),
        sa.CheckConstraint(
            "rating BETWEEN 1 AND 5", name=op.f("ck_follow_up_answer_rating_in_range")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_follow_up_answer_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_follow_up_answer")),
    )
    op.create_table(
        "follow_up_mail",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("sent_at", forum.models.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            "step IN ('end', 'week', 'quarter', 'half_year')",
            name=op.f("ck_follow_up_mail_step_known"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_follow_up_mail_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_follow_up_mail_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up_mail")),
        sa.UniqueConstraint(
            "participant_id",
            "event_id",
            "step",
            name=op.f("uq_follow_up_mail_participant_id_event_id_step"),
        ),
    )
    with op.batch_alter_table("follow_up_mail", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_up_mail_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_follow_up_mail_participant_id"), ["participant_id"], unique=False
        )


def downgrade():
    op.drop_table("follow_up_mail")
    op.drop_table("follow_up_answer")
    op.drop_table("follow_up_plan")
