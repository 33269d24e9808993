"""organisations can be archived: an archived organisation is no longer offered to new
registrations; the participants registered for it keep it

Revision ID: 0015_organisation_archive
Revises: 0012_search_analysis
"""

import sqlalchemy as sa
from alembic import op

import forum.models.base

revision = "0015_organisation_archive"
down_revision = "0012_search_analysis"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("organisation") as batch_op:
        batch_op.add_column(
            sa.Column("archived_at", forum.models.base.UTCDateTime(), nullable=True)
        )


def downgrade():
    with op.batch_alter_table("organisation") as batch_op:
        batch_op.drop_column("archived_at")
