"""the run page's figures counted by a background job: when its worker took the counting

Revision ID: 0054_review_summary_job
Revises: 0048_kiwi_user_words
"""

import sqlalchemy as sa
from alembic import op

import forum.models.base

revision = "0054_review_summary_job"
down_revision = "0048_kiwi_user_words"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("review_summary") as batch_op:
        batch_op.add_column(
            sa.Column("counting_at", forum.models.base.UTCDateTime(), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("review_summary") as batch_op:
        batch_op.drop_column("counting_at")
