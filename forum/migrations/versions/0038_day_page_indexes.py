"""day pages: an index on lower(user.name), for lists of people by name

The organizer's agendas (and the lists of people to remind) come by name in any case; with this
index the database reads the first page in name order and stops, instead of sorting the names of
every participant of the event for each page.

Revision ID: 0038_day_page_indexes
Revises: 0037_export_files
"""

import sqlalchemy as sa
from alembic import op

revision = "0038_day_page_indexes"
down_revision = "0037_export_files"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_user_name_lower", "user", [sa.text("lower(name)")])


def downgrade():
    op.drop_index("ix_user_name_lower", table_name="user")
