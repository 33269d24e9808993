"""suggestions: each event's pivot of the text vectors' norms, kept between refreshes

A nullable column of `suggestion_version`: the mean norms the stored scores were computed with
(NULL until the next write computes them). A change to one opportunity then scores with the
same pivot instead of moving every stored score of the event (docs/search.md, "Refreshing").

Revision ID: 0041_suggestion_pivot
Revises: 0040_export_versions
"""

import sqlalchemy as sa
from alembic import op

revision = "0041_suggestion_pivot"
down_revision = "0040_export_versions"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("suggestion_version") as batch:
        batch.add_column(sa.Column("pivot_norms", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("suggestion_version") as batch:
        batch.drop_column("pivot_norms")
