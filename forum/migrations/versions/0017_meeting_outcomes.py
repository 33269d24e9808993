"""meeting notes (each attendee's own) and outcome steps (where a held meeting led)

Revision ID: 0017_meeting_outcomes
Revises: 0015_organisations
Create Date: 2026-12-05 21:53:40

"""

import sqlalchemy as sa
from alembic import op

import forum.models.base

revision = "0017_meeting_outcomes"
down_revision = "0015_organisations"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outcome_step",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("happened_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", forum.models.base.UTCDateTime(), nullable=False),
        sa.Column("review", sa.String(length=10), nullable=False),
        sa.Column("reviewed_by_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", forum.models.base.UTCDateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "currency IS NULL OR currency IN ('KRW', 'USD', 'EUR', 'JPY', 'CNY', 'GBP')",
            name=op.f("ck_outcome_step_currency_known"),
        ),
        sa.CheckConstraint(
            "kind IN ('follow_up', 'nda_mta', 'evaluation', 'term_sheet', 'licence', 'joint_rd', 'investment', 'supply', 'no_interest')",
            name=op.f("ck_outcome_step_kind_known"),
        ),
        sa.CheckConstraint(
            "review = 'pending' OR (reviewed_at IS NOT NULL)",
            name=op.f("ck_outcome_step_review_has_time"),
        ),
        sa.CheckConstraint(
            "review IN ('pending', 'confirmed', 'corrected')",
            name=op.f("ck_outcome_step_review_known"),
        ),
        sa.CheckConstraint(
            "amount IS NULL OR (amount >= 0 AND amount <= 1000000000000000)",
            name=op.f("ck_outcome_step_amount_in_range"),
        ),
        sa.CheckConstraint(
            "amount IS NULL OR currency IS NOT NULL",
            name=op.f("ck_outcome_step_amount_has_currency"),
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_outcome_step_version_positive")),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_outcome_step_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["participant.id"],
            name=op.f("fk_outcome_step_recorded_by_id_participant"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["participant.id"],
            name=op.f("fk_outcome_step_reviewed_by_id_participant"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_step")),
    )
    with op.batch_alter_table("outcome_step", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outcome_step_meeting_id"), ["meeting_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outcome_step_recorded_by_id"), ["recorded_by_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_outcome_step_reviewed_by_id"), ["reviewed_by_id"], unique=False
        )

    op.create_table(
        "meeting_note",
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("updated_at", forum.models.base.UTCDateTime(), nullable=False),
        sa.CheckConstraint("length(body) <= 5000", name=op.f("ck_meeting_note_body_not_too_long")),
        sa.ForeignKeyConstraint(
            ["meeting_id", "participant_id"],
            ["meeting_attendee.meeting_id", "meeting_attendee.participant_id"],
            name="fk_meeting_note_attendee",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("meeting_id", "participant_id", name=op.f("pk_meeting_note")),
    )
    with op.batch_alter_table("meeting_note", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_note_participant_id"), ["participant_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("meeting_note", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_note_participant_id"))

    op.drop_table("meeting_note")
    with op.batch_alter_table("outcome_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcome_step_reviewed_by_id"))
        batch_op.drop_index(batch_op.f("ix_outcome_step_recorded_by_id"))
        batch_op.drop_index(batch_op.f("ix_outcome_step_meeting_id"))

    op.drop_table("outcome_step")
