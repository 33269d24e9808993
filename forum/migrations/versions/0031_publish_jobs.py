"""publishing as a background job: a run's publication state, its worker and heartbeat

Revision ID: 0031_publish_jobs
Revises: 0030_area_classification
"""

import sqlalchemy as sa
from alembic import op

from forum.models.base import UTCDateTime

revision = "0031_publish_jobs"
down_revision = "0030_area_classification"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("schedule_run", schema=None) as batch_op:
        batch_op.add_column(sa.Column("publish_status", sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column("publish_worker", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("publish_heartbeat_at", UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("publish_message", sa.Text(), nullable=False, server_default="")
        )
        batch_op.create_check_constraint(
            op.f("ck_schedule_run_publish_status_known"),
            "publish_status IS NULL OR publish_status IN "
            "('queued', 'publishing', 'published', 'failed')",
        )
    op.execute(
        "UPDATE schedule_run SET publish_status = 'published' WHERE published_at IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table("schedule_run", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_schedule_run_publish_status_known"), type_="check")
        batch_op.drop_column("publish_message")
        batch_op.drop_column("publish_heartbeat_at")
        batch_op.drop_column("publish_worker")
        batch_op.drop_column("publish_status")
