"""schedule runs say whether published meetings stay where they are

Revision ID: 0005_run_keeps_published
Revises: 0004_schedule_runs
Create Date: 2026-11-23 05:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0005_run_keeps_published"
down_revision = "0004_schedule_runs"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("schedule_run", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("keep_published", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade():
    with op.batch_alter_table("schedule_run", schema=None) as batch_op:
        batch_op.drop_column("keep_published")
