"""the run page's figures and counts stored with the draft version they were counted at: indexes for the check and for reading a draft a slot at a time

Revision ID: 0039_run_page_indexes
Revises: 0038_day_page_indexes
"""

import sqlalchemy as sa
from alembic import op

revision = "0039_run_page_indexes"
down_revision = "0038_day_page_indexes"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("schedule_run") as batch_op:
        batch_op.add_column(
            sa.Column("draft_version", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "review_summary",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("counts", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["schedule_run.id"],
            name=op.f("fk_review_summary_run_id_schedule_run"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_review_summary")),
    )
    op.create_index("ix_meeting_event_sequence", "meeting", ["event_id", "sequence"])
    op.create_index(
        "ix_draft_placement_run_slot", "draft_placement", ["run_id", "slot_id", "table_id"]
    )


def downgrade():
    op.drop_index("ix_draft_placement_run_slot", table_name="draft_placement")
    op.drop_index("ix_meeting_event_sequence", table_name="meeting")
    op.drop_table("review_summary")
    with op.batch_alter_table("schedule_run") as batch_op:
        batch_op.drop_column("draft_version")
