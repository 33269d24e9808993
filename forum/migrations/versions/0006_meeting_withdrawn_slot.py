"""meetings remember the slot a publication took them off, for calendars to cancel it there

Revision ID: 0006_meeting_withdrawn_slot
Revises: 0005_run_keeps_published
Create Date: 2026-11-23 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0006_meeting_withdrawn_slot"
down_revision = "0005_run_keeps_published"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_slot_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_meeting_withdrawn_slot_id_slot"),
            "slot",
            ["withdrawn_slot_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_withdrawn_slot_id"), ["withdrawn_slot_id"], unique=False
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_meeting_withdrawn_only_when_unplaced"),
            "withdrawn_slot_id IS NULL OR slot_id IS NULL",
        )


def downgrade():
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("ck_meeting_withdrawn_only_when_unplaced"), type_="check"
        )
        batch_op.drop_index(batch_op.f("ix_meeting_withdrawn_slot_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_meeting_withdrawn_slot_id_slot"), type_="foreignkey"
        )
        batch_op.drop_column("withdrawn_slot_id")
